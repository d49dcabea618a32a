"""The demo's routing (charter rule 7): competences in the teams, part-time working
patterns, absences now and later, the topics' routing rules, and a few fresh questions
forwarded to people who are away now, so the suggestion, the load and the absences catch-up
show something from the first start. Through the services: the staff's history shows it and
the catch-up runs as it would. A handful of rows; the cases stay bulk-inserted (build.py)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from loket.accounts.models import Team, User
from loket.cases.models import Channel, Client, Topic
from loket.cases.services import case_forward, case_register
from loket.routing.models import TopicRouting
from loket.routing.services import (
    Period,
    absence_record,
    competence_set,
    whole_days,
    working_pattern_set,
)

from . import content

HANDED_OVER = 2  # fresh questions forwarded to each back-office person away now


def away_now() -> list[tuple[str, int, int, str]]:
    """The demo's absences going on today, of people who answer topics."""
    experts = {username for username, _topic, _level in content.COMPETENCES}
    return [a for a in content.ABSENCES if a[1] <= 0 <= a[2] and a[0] in experts]


def routing_demo_load(
    rng: random.Random,
    *,
    topics: dict[str, Topic],
    teams: dict[str, Team],
    staff: dict[str, User],
    clients: list[Client],
    cases: int,
) -> int:
    """Load the routing and register `cases` questions forwarded to people away now (before
    their absence is recorded, as when sick leave is phoned in); returns how many."""
    TopicRouting.objects.bulk_create(
        TopicRouting(topic=topics[topic], team=teams[team], auto_assign=automatic, days_needed=days)
        for topic, team, automatic, days in content.TOPIC_ROUTING
    )
    for username, topic, level in content.COMPETENCES:
        competence_set(actor=None, user=staff[username], topic=topics[topic], level=level)
    for username, weekdays, begins, ends in content.WORKING_PATTERNS:
        begin, finish = dt.time.fromisoformat(begins), dt.time.fromisoformat(ends)
        periods = [Period(weekday, begin, finish) for weekday in weekdays]
        working_pattern_set(actor=None, user=staff[username], periods=periods)
    made = _hand_over(rng, topics=topics, teams=teams, staff=staff, clients=clients, cases=cases)
    today = timezone.localdate()
    zone = timezone.get_default_timezone()
    for username, first, last, kind in content.ABSENCES:
        start, end = whole_days(
            today + dt.timedelta(days=first), today + dt.timedelta(days=last), zone
        )
        absence_record(
            actor=None, user=staff[username], start=start, end=end, kind=kind, all_day=True
        )
    return made


def _hand_over(
    rng: random.Random,
    *,
    topics: dict[str, Topic],
    teams: dict[str, Team],
    staff: dict[str, User],
    clients: list[Client],
    cases: int,
) -> int:
    rules = {topic: team for topic, team, _automatic, _days in content.TOPIC_ROUTING}
    expert_in: dict[str, str] = {}
    for username, topic, level in content.COMPETENCES:
        if level == "expert":
            expert_in.setdefault(username, topic)
    made = 0
    for username, _first, _last, _kind in away_now():
        for _ in range(HANDED_OVER):
            if made == cases:
                return made
            topic = expert_in[username]
            client = rng.choice(clients)
            questions = (
                content.QUESTIONS[topic].get(client.language) or (content.QUESTIONS[topic]["nl"])
            )
            subject, body = rng.choice(questions)
            case = case_register(
                actor=None,
                client=client,
                channel=Channel.EMAIL,
                subject=subject,
                body=body,
                topic=topics[topic],
                team=teams["front-office"],
            )
            case_forward(
                actor=staff["agent"],
                case=case,
                note="Graag nazicht door de BackOffice.",
                team=teams[rules[topic]],
                owner=staff[username],
            )
            made += 1
    return made
