"""Builds a believable demo service: topics, teams, staff with their competences, working
patterns and absences, the topics' routing rules, clients and cases on every channel and in
every status, with their messages and events. Bulk inserts, so that 100,000 cases load in
minutes for the benchmarks."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.accounts.services import staff_create
from loket.cases.models import (
    Case,
    Channel,
    Client,
    ClientEmail,
    ClientPhone,
    Event,
    Message,
    Topic,
)
from loket.cases.rules import answer_channel
from loket.cases.services import reference_reserve
from loket.deadlines.models import DeadlinePolicy
from loket.deadlines.rules import due_at
from loket.deadlines.terms import RulesCache, next_reminder, policy_for
from loket.knowledge.demo import knowledge_demo_load
from loket.routing.models import Competence

from . import content, routing

ROLE_CODES = {
    "agent": Role.AGENT,
    "expert": Role.EXPERT,
    "coordinator": Role.COORDINATOR,
    "manager": Role.MANAGER,
    "administrator": Role.ADMINISTRATOR,
}
CHANNEL_WEIGHTS = [
    (Channel.EMAIL, 55),
    (Channel.PHONE, 25),
    (Channel.WEB, 10),
    (Channel.POST, 4),
    (Channel.FAX, 1),
    (Channel.SOCIAL, 2),
    (Channel.COUNTER, 3),
]
BATCH = 1000


@dataclass
class DemoSummary:
    topics: int
    teams: int
    staff: int
    clients: int
    cases: int


def build_demo(
    *, cases: int = 400, seed: int = 2026, progress: Callable[[str], None] | None = None
) -> DemoSummary:
    """Create (or complete) the demo service with `cases` more cases."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    say = progress or (lambda _message: None)
    topics = _topics()
    teams = _teams()
    staff = _staff(teams)
    clients = _clients(rng, max(40, cases // 4))
    say(f"{len(topics)} topics, {len(teams)} teams, {len(staff)} staff, {len(clients)} clients")
    # Routing the first time only; a few of the cases are then handed to people who are
    # away now, through the services, so the absences catch-up has something to propose.
    first_time = not Competence.objects.exists()
    handed = min(cases, routing.HANDED_OVER * len(routing.away_now())) if first_time else 0
    made = _cases(
        rng, cases - handed, topics=topics, teams=teams, staff=staff, clients=clients, say=say
    )
    if first_time:
        made += routing.routing_demo_load(
            rng, topics=topics, teams=teams, staff=staff, clients=clients, cases=handed
        )
        say("competences, working patterns, absences and topic routing rules")
    # The FAQ, and recent questions that no article answers yet (loket/knowledge/demo.py).
    knowledge_demo_load(seed=seed)
    return DemoSummary(len(topics), len(teams), len(staff), len(clients), made)


def _topics() -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for code, parent, nl, fr, de, en in content.TOPICS:
        topics[code], _ = Topic.objects.get_or_create(
            code=code,
            defaults={
                "parent": topics.get(parent or ""),
                "name_nl": nl,
                "name_fr": fr,
                "name_de": de,
                "name_en": en,
            },
        )
    return topics


def _teams() -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for code, kind, name, _topics in content.TEAMS:
        teams[code], _ = Team.objects.get_or_create(
            code=code, defaults={"kind": kind, "name": name, "email": f"{code}@loket.localhost"}
        )
    return teams


def _staff(teams: dict[str, Team]) -> dict[str, User]:
    staff: dict[str, User] = {}
    for username, first, last, language, roles, team_codes in content.STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_create(
                username=username,
                password=content.DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@loket.localhost",
                language=language,
                roles=[ROLE_CODES[r] for r in roles],
                teams=[teams[t] for t in team_codes],
                check_password=False,
            )
        staff[username] = user
    return staff


def _clients(rng: random.Random, count: int) -> list[Client]:
    existing = list(Client.objects.all())
    if len(existing) >= count:
        return existing
    new: list[Client] = []
    emails: list[tuple[int, str]] = []
    phones: list[tuple[int, str]] = []
    if not existing:
        for name, language, postal_code, city in content.WELFARE_CENTRES:
            new.append(
                Client(
                    kind=Client.Kind.ORGANISATION,
                    sector=Client.Sector.WELFARE_CENTRE,
                    name=name,
                    language=language,
                    street=rng.choice(["Marktplein", "Rue de l'Église", "Kirchstraße"])
                    + f" {rng.randint(1, 120)}",
                    postal_code=postal_code,
                    city=city,
                )
            )
    languages = ["nl"] * 50 + ["fr"] * 38 + ["de"] * 5 + ["en"] * 7
    while len(existing) + len(new) < count:
        language = rng.choice(languages)
        first = rng.choice(content.FIRST_NAMES[language])
        last = rng.choice(content.LAST_NAMES[language])
        new.append(Client(name=f"{first} {last}", language=language))
    with transaction.atomic():
        Client.objects.bulk_create(new, batch_size=BATCH)
        for number, client in enumerate(new):
            slug = "".join(ch for ch in client.name.lower() if ch.isalnum() or ch == " ")
            slug = slug.replace(" ", ".").encode("ascii", "ignore").decode() or "client"
            domain = "example.be" if client.kind == Client.Kind.PERSON else "ocmw-cpas.example.be"
            emails.append((client.pk, f"{slug}.{client.pk}@{domain}"))
            if number % 3 == 0:
                phones.append(
                    (
                        client.pk,
                        f"+32{rng.choice(['2', '9', '4'])}{rng.randint(1000000, 9999999)}",
                    )
                )
        ClientEmail.objects.bulk_create(
            [ClientEmail(client_id=pk, address=a) for pk, a in emails], batch_size=BATCH
        )
        ClientPhone.objects.bulk_create(
            [ClientPhone(client_id=pk, number=n) for pk, n in phones], batch_size=BATCH
        )
    return existing + new


def _cases(
    rng: random.Random,
    count: int,
    *,
    topics: dict[str, Topic],
    teams: dict[str, Team],
    staff: dict[str, User],
    clients: list[Client],
    say: Callable[[str], None],
) -> int:
    now = timezone.now()
    calendars = RulesCache()
    policies: dict[tuple[str, str], DeadlinePolicy | None] = {}
    channels = [c for c, _ in CHANNEL_WEIGHTS]
    weights = [w for _, w in CHANNEL_WEIGHTS]
    agents = [staff[u] for u in ("agent", "agent-fr", "agent2", "coordinator")]
    experts = {
        team: [u for u in staff.values() if team in [t.code for t in u.teams.all()]]
        for team in teams
    }
    topic_team = {code: team for team, _kind, _name, codes in content.TEAMS for code in codes}
    emails = dict(ClientEmail.objects.values_list("client_id", "address"))
    plans = []
    for _ in range(count):
        # Most cases are from the last year; a fifth from the last two weeks, so queues are full.
        age = rng.uniform(0, 14) if rng.random() < 0.2 else rng.uniform(0, 365)
        received = now - dt.timedelta(days=age, minutes=rng.randint(0, 600))
        plans.append(received)
    plans.sort()
    registered = []
    for received in plans:
        channel = rng.choices(channels, weights)[0]
        delay = (
            dt.timedelta(days=rng.randint(1, 2))
            if channel in (Channel.POST, Channel.FAX)
            else dt.timedelta(seconds=rng.randint(5, 300))
        )
        registered.append((received, channel, min(received + delay, now)))
    years = Counter(timezone.localtime(r[2]).year for r in registered)
    references = {
        year: iter(reference_reserve(year=year, count=n)) for year, n in sorted(years.items())
    }
    made = 0
    for start in range(0, len(registered), BATCH):
        chunk = registered[start : start + BATCH]
        with transaction.atomic():
            cases: list[Case] = []
            bodies: dict[str, str] = {}
            for received, channel, registered_at in chunk:
                client = rng.choice(clients)
                topic_code = rng.choice(list(content.QUESTIONS))
                kind = Case.Kind.QUESTION
                roll = rng.random()
                if topic_code == "competence-conflicts":
                    kind = Case.Kind.COMPETENCE_CONFLICT
                elif roll < 0.02:
                    kind = Case.Kind.COMPLAINT
                questions = (
                    content.QUESTIONS[topic_code].get(client.language)
                    or content.QUESTIONS[topic_code]["nl"]
                )
                subject, body = rng.choice(questions)
                key = (kind, topic_code)
                if key not in policies:
                    policies[key] = policy_for(kind=kind, topic=topics[topic_code])
                policy = policies[key]
                if policy is None:
                    raise RuntimeError("the shipped deadline policies are missing: migrate first")
                rules = calendars(policy.calendar)
                term = due_at(received, policy.working_days, rules, policy.cutoff)
                status, answered, closed, forwarded = _fate(rng, received, term, now)
                owner = rng.choice(agents) if status != Case.Status.REGISTERED else None
                team = teams["front-office"]
                if forwarded:
                    team = teams[topic_team.get(topic_code, "integration")]
                    owner = rng.choice(experts[team.code] or agents)
                case = Case(
                    reference=next(references[timezone.localtime(registered_at).year]),
                    kind=kind,
                    channel=channel,
                    client=client,
                    subject=subject,
                    topic=topics[topic_code],
                    language=client.language,
                    status=status,
                    received_at=received,
                    registered_at=registered_at,
                    policy=policy,
                    charter_due_at=term,
                    due_at=term,
                    remind_at=next_reminder(term, policy, rules, after=now)
                    if status in Case.OPEN_STATUSES
                    else None,
                    owner=owner,
                    team=team,
                    forwarded_at=forwarded,
                    answered_at=answered,
                    closed_at=closed,
                    answered_by_front_office=(forwarded is None) if answered else None,
                )
                bodies[case.reference] = body
                cases.append(case)
            Case.objects.bulk_create(cases, batch_size=BATCH)
            messages: list[Message] = []
            events: list[Event] = []
            for case in cases:
                sender = emails.get(case.client_id, "")
                messages.append(
                    Message(
                        case=case,
                        direction=Message.Direction.INBOUND,
                        channel=case.channel,
                        sender=sender if case.channel == Channel.EMAIL else "",
                        subject=case.subject,
                        body=bodies[case.reference],
                        at=case.received_at,
                    )
                )
                events.append(
                    Event(
                        kind=Event.Kind.CASE_REGISTERED,
                        at=case.registered_at,
                        case=case,
                        client_id=case.client_id,
                        actor=case.owner if case.channel != Channel.EMAIL else None,
                        data={
                            "reference": case.reference,
                            "channel": case.channel,
                            "kind": case.kind,
                            "received_at": case.received_at.isoformat(),
                        },
                    )
                )
                if case.forwarded_at:
                    messages.append(
                        Message(
                            case=case,
                            direction=Message.Direction.NOTE,
                            channel=case.channel,
                            author=rng.choice(agents),
                            body="Graag nazicht door de BackOffice.",
                            at=case.forwarded_at,
                        )
                    )
                    events.append(
                        Event(
                            kind=Event.Kind.CASE_FORWARDED,
                            at=case.forwarded_at,
                            case=case,
                            client_id=case.client_id,
                            actor=rng.choice(agents),
                            data={"team": case.team_id},
                        )
                    )
                if case.answered_at:
                    reply = answer_channel(case.channel, client_has_email=case.client_id in emails)
                    messages.append(
                        Message(
                            case=case,
                            direction=Message.Direction.OUTBOUND,
                            channel=reply,
                            author=case.owner,
                            recipient=emails.get(case.client_id, "")
                            if reply == Channel.EMAIL
                            else "",
                            subject=case.subject,
                            body=content.ANSWERS[case.language],
                            at=case.answered_at,
                        )
                    )
                    events.append(
                        Event(
                            kind=Event.Kind.CASE_ANSWERED,
                            at=case.answered_at,
                            case=case,
                            client_id=case.client_id,
                            actor=case.owner,
                            data={"channel": reply, "first": True},
                        )
                    )
                if case.closed_at:
                    events.append(
                        Event(
                            kind=Event.Kind.CASE_CLOSED,
                            at=case.closed_at,
                            case=case,
                            client_id=case.client_id,
                            actor=case.owner,
                            data={"reason": ""},
                        )
                    )
            Message.objects.bulk_create(messages, batch_size=BATCH)
            Event.objects.bulk_create(events, batch_size=BATCH)
        made += len(cases)
        if made % 10000 == 0:
            say(f"{made} cases")
    return made


def _fate(
    rng: random.Random, received: dt.datetime, term: dt.datetime, now: dt.datetime
) -> tuple[str, dt.datetime | None, dt.datetime | None, dt.datetime | None]:
    """Status, answered, closed and forwarded moments that fit the case's age and term."""
    forwarded = received + dt.timedelta(hours=rng.uniform(1, 20)) if rng.random() < 0.2 else None
    if forwarded and forwarded > now:
        forwarded = None
    # 93% answered within the term, the rest later: close to the charter's 95% target.
    late = rng.random() < 0.07
    span = (term - received).total_seconds()
    answered = received + dt.timedelta(seconds=span * rng.uniform(0.05, 0.95))
    if late:
        answered = term + dt.timedelta(hours=rng.uniform(2, 96))
    if answered > now:
        if forwarded:
            return Case.Status.FORWARDED, None, None, forwarded
        status = rng.choice(
            [Case.Status.REGISTERED, Case.Status.IN_PROGRESS, Case.Status.IN_PROGRESS]
        )
        return status, None, None, None
    closed = answered + dt.timedelta(days=rng.uniform(0, 5))
    if closed > now or rng.random() < 0.05:
        return Case.Status.ANSWERED, answered, None, forwarded
    return Case.Status.CLOSED, answered, closed, forwarded
