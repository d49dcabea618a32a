"""What the demo service looks like: its topics, teams, staff and the questions clients ask
(GLOSSARY.md). Plain data."""

from __future__ import annotations

# code, parent code, nl, fr, de, en
TOPICS: list[tuple[str, str | None, str, str, str, str]] = [
    (
        "integration",
        None,
        "Recht op maatschappelijke integratie",
        "Droit à l'intégration sociale",
        "Recht auf soziale Eingliederung",
        "Right to social integration",
    ),
    (
        "integration-income",
        "integration",
        "Leefloon",
        "Revenu d'intégration",
        "Eingliederungseinkommen",
        "Integration income",
    ),
    ("gpmi", "integration", "GPMI", "PIIS", "IPSE", "Individualised integration project"),
    (
        "article-60",
        "integration",
        "Tewerkstelling artikel 60 §7",
        "Mise à l'emploi article 60 §7",
        "Beschäftigung Artikel 60 §7",
        "Employment under article 60 §7",
    ),
    (
        "reimbursement-1965",
        None,
        "Terugbetaling door de Staat (wet van 2 april 1965)",
        "Remboursement par l'État (loi du 2 avril 1965)",
        "Rückerstattung durch den Staat (Gesetz vom 2. April 1965)",
        "State reimbursement (law of 2 April 1965)",
    ),
    (
        "urgent-medical-aid",
        "reimbursement-1965",
        "Dringende medische hulp, MediPrima",
        "Aide médicale urgente, MediPrima",
        "Dringende medizinische Hilfe, MediPrima",
        "Urgent medical aid, MediPrima",
    ),
    (
        "competence-conflicts",
        None,
        "Bevoegdheidsconflicten tussen OCMW's",
        "Conflits de compétence entre CPAS",
        "Zuständigkeitskonflikte zwischen ÖSHZ",
        "Competence conflicts between welfare centres",
    ),
    (
        "novaprima",
        None,
        "NovaPrima, e-formulieren",
        "NovaPrima, formulaires électroniques",
        "NovaPrima, elektronische Formulare",
        "NovaPrima, electronic forms",
    ),
    (
        "energy-funds",
        None,
        "Sociaal stookoliefonds, gas- en elektriciteitsfonds",
        "Fonds social chauffage, Fonds gaz-électricité",
        "Sozialer Heizölfonds, Gas- und Stromfonds",
        "Heating-oil fund, gas and electricity fund",
    ),
    (
        "participation",
        None,
        "Participatie en sociale activering",
        "Participation et activation sociale",
        "Teilhabe und soziale Aktivierung",
        "Social participation and activation",
    ),
    (
        "debt-mediation",
        None,
        "Schuldbemiddeling",
        "Médiation de dettes",
        "Schuldnerberatung",
        "Debt mediation",
    ),
    (
        "poverty-eu-funds",
        None,
        "Armoedebestrijding, Europese fondsen",
        "Lutte contre la pauvreté, fonds européens",
        "Armutsbekämpfung, europäische Fonds",
        "Fight against poverty, European funds",
    ),
    (
        "subsidies-statistics",
        None,
        "Subsidies en statistieken",
        "Subsides et statistiques",
        "Zuschüsse und Statistiken",
        "Subsidies and statistics",
    ),
]

# code, kind, nl name, topics the team answers
TEAMS: list[tuple[str, str, str, list[str]]] = [
    ("front-office", "front", "FrontOffice", []),
    (
        "integration",
        "back",
        "BackOffice Maatschappelijke integratie",
        ["integration", "integration-income", "gpmi", "article-60"],
    ),
    (
        "reimbursements",
        "back",
        "BackOffice Terugbetalingen 1965",
        ["reimbursement-1965", "urgent-medical-aid", "competence-conflicts"],
    ),
    (
        "funds",
        "back",
        "BackOffice Fondsen en subsidies",
        [
            "energy-funds",
            "participation",
            "poverty-eu-funds",
            "subsidies-statistics",
            "debt-mediation",
        ],
    ),
    ("ict", "back", "BackOffice NovaPrima (ICT)", ["novaprima"]),
]

DEMO_PASSWORD = "loket-demo"  # noqa: S105 - printed on purpose: demo data only

# username, first, last, language, roles, teams
STAFF: list[tuple[str, str, str, str, list[str], list[str]]] = [
    ("agent", "An", "Peeters", "nl", ["agent"], ["front-office"]),
    ("agent-fr", "Sophie", "Lambert", "fr", ["agent"], ["front-office"]),
    ("agent2", "Jan", "Maes", "nl", ["agent"], ["front-office"]),
    ("expert", "Karim", "El Amrani", "fr", ["expert"], ["integration"]),
    ("expert-1965", "Els", "Wouters", "nl", ["expert"], ["reimbursements"]),
    ("expert-funds", "Marc", "Dubois", "fr", ["expert"], ["funds"]),
    ("expert-ict", "Lukas", "Schmitz", "de", ["expert"], ["ict"]),
    ("expert2", "Lies", "Vermeulen", "nl", ["expert"], ["integration"]),
    ("expert-1965-fr", "Julie", "Renard", "fr", ["expert"], ["reimbursements"]),
    ("expert-funds2", "Tom", "Janssens", "nl", ["expert"], ["funds"]),
    ("coordinator", "Nathalie", "Claes", "nl", ["coordinator"], ["front-office"]),
    ("manager", "Pieter", "Jacobs", "nl", ["manager"], []),
    ("admin", "Admin", "Loket", "en", ["administrator"], []),
]

# Routing (charter rule 7). Who answers which topic, within the teams above: username,
# topic code, "expert" or "backup". A competence for a parent topic covers its sub-topics.
COMPETENCES: list[tuple[str, str, str]] = [
    ("expert", "integration-income", "expert"),
    ("expert", "gpmi", "expert"),
    ("expert", "article-60", "backup"),
    ("expert2", "integration-income", "expert"),
    ("expert2", "article-60", "expert"),
    ("expert2", "gpmi", "backup"),
    ("expert-1965-fr", "integration", "backup"),
    ("expert-1965", "reimbursement-1965", "expert"),
    ("expert-1965", "competence-conflicts", "expert"),
    ("expert-1965", "urgent-medical-aid", "backup"),
    ("expert-1965-fr", "urgent-medical-aid", "expert"),
    ("expert-1965-fr", "reimbursement-1965", "backup"),
    ("expert-1965-fr", "competence-conflicts", "backup"),
    ("expert-funds", "energy-funds", "expert"),
    ("expert-funds", "participation", "expert"),
    ("expert-funds", "poverty-eu-funds", "expert"),
    ("expert-funds", "debt-mediation", "backup"),
    ("expert-funds", "subsidies-statistics", "backup"),
    ("expert-funds2", "debt-mediation", "expert"),
    ("expert-funds2", "subsidies-statistics", "expert"),
    ("expert-funds2", "energy-funds", "backup"),
    ("expert-funds2", "participation", "backup"),
    ("expert-ict", "novaprima", "expert"),  # alone: when away, nobody is available
]

# Part-time working patterns: username, weekdays worked (0 Monday) with their hours.
WORKING_PATTERNS: list[tuple[str, list[int], str, str]] = [
    ("expert2", [0, 1, 3, 4], "08:30", "16:30"),  # four fifths, Wednesdays off
    ("expert-funds2", [0, 1, 2], "08:00", "16:00"),  # three fifths
    ("agent2", [0, 1, 2, 3], "08:30", "16:30"),  # four fifths, Fridays off
]

# Absences in whole days, counted from the day the demo is loaded: username, first day,
# last day, kind. Some now, some later.
ABSENCES: list[tuple[str, int, int, str]] = [
    ("expert", -2, 7, "leave"),  # on leave now: his cases come up in the catch-up
    ("expert-ict", -1, 6, "training"),  # NovaPrima has nobody until he is back
    ("expert-funds", 1, 1, "illness"),
    ("expert-1965", 21, 34, "leave"),
    ("agent-fr", 30, 39, "leave"),
    ("expert-funds2", 9, 9, "training"),
]

# Topic routing rules: topic code, the back-office team (its code), assign automatically to
# the first suggested person, present working days needed before the back-office term.
TOPIC_ROUTING: list[tuple[str, str, bool, int]] = [
    ("integration", "integration", False, 1),
    ("integration-income", "integration", False, 1),
    ("gpmi", "integration", False, 1),
    ("article-60", "integration", True, 1),
    ("reimbursement-1965", "reimbursements", False, 1),
    ("urgent-medical-aid", "reimbursements", True, 1),
    ("competence-conflicts", "reimbursements", False, 2),
    ("energy-funds", "funds", True, 1),
    ("participation", "funds", True, 1),
    ("poverty-eu-funds", "funds", False, 1),
    ("debt-mediation", "funds", False, 1),
    ("subsidies-statistics", "funds", False, 1),
    ("novaprima", "ict", True, 1),
]

WELFARE_CENTRES: list[tuple[str, str, str, str]] = [
    # name, language, postal code, city
    ("OCMW Gent", "nl", "9000", "Gent"),
    ("OCMW Antwerpen", "nl", "2000", "Antwerpen"),
    ("OCMW Leuven", "nl", "3000", "Leuven"),
    ("OCMW Brugge", "nl", "8000", "Brugge"),
    ("OCMW Hasselt", "nl", "3500", "Hasselt"),
    ("OCMW Aalst", "nl", "9300", "Aalst"),
    ("OCMW Mechelen", "nl", "2800", "Mechelen"),
    ("OCMW Kortrijk", "nl", "8500", "Kortrijk"),
    ("CPAS de Liège", "fr", "4000", "Liège"),
    ("CPAS de Charleroi", "fr", "6000", "Charleroi"),
    ("CPAS de Namur", "fr", "5000", "Namur"),
    ("CPAS de Mons", "fr", "7000", "Mons"),
    ("CPAS de Bruxelles", "fr", "1000", "Bruxelles"),
    ("CPAS d'Ixelles", "fr", "1050", "Ixelles"),
    ("CPAS de Schaerbeek", "fr", "1030", "Schaerbeek"),
    ("CPAS de Tournai", "fr", "7500", "Tournai"),
    ("ÖSHZ Eupen", "de", "4700", "Eupen"),
    ("ÖSHZ Sankt Vith", "de", "4780", "Sankt Vith"),
    ("ÖSHZ Kelmis", "de", "4720", "Kelmis"),
]

FIRST_NAMES = {
    "nl": [
        "Anke",
        "Bart",
        "Dirk",
        "Ellen",
        "Femke",
        "Geert",
        "Hilde",
        "Joris",
        "Katrien",
        "Lotte",
        "Mohamed",
        "Nina",
        "Rik",
        "Sarah",
        "Tom",
        "Wim",
        "Yasmina",
    ],
    "fr": [
        "Amélie",
        "Benoît",
        "Chloé",
        "David",
        "Fatima",
        "Guillaume",
        "Hélène",
        "Julien",
        "Laurence",
        "Mathieu",
        "Nadia",
        "Olivier",
        "Pauline",
        "Sébastien",
        "Youssef",
    ],
    "de": ["Anna", "Bernd", "Claudia", "Dieter", "Heike", "Jonas", "Klaus", "Monika", "Stefan"],
    "en": ["Alice", "Ben", "Grace", "Liam", "Olivia", "Samuel"],
}
LAST_NAMES = {
    "nl": [
        "Janssens",
        "Peeters",
        "Maes",
        "Willems",
        "Claes",
        "Goossens",
        "Wouters",
        "De Smet",
        "Van den Broeck",
        "Vermeulen",
        "Aerts",
        "Hermans",
        "Bosmans",
    ],
    "fr": [
        "Dubois",
        "Lambert",
        "Dupont",
        "Martin",
        "Simon",
        "Laurent",
        "Lefèbvre",
        "Leclercq",
        "Renard",
        "Mertens",
        "Benali",
        "Collard",
    ],
    "de": ["Schmitz", "Müller", "Krings", "Lejeune", "Heinen", "Thomas", "Kessel", "Pauels"],
    "en": ["Smith", "Brown", "Taylor", "Wilson", "Evans"],
}

# Questions clients ask, per topic and language (subject, body).
QUESTIONS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "integration-income": {
        "nl": [
            (
                "Berekening leefloon samenwonende",
                "Hoe berekenen we het leefloon voor een samenwonende aanvrager met een inkomen uit deeltijds werk?",
            ),
            (
                "Indexering bedragen leefloon",
                "Vanaf wanneer gelden de geïndexeerde bedragen van het leefloon en waar vinden we de tabel?",
            ),
            (
                "Leefloon voor student",
                "Heeft een student van 19 jaar die bij zijn ouders woont recht op een leefloon?",
            ),
        ],
        "fr": [
            (
                "Calcul du RI pour un cohabitant",
                "Comment calculer le revenu d'intégration d'un demandeur cohabitant qui travaille à temps partiel ?",
            ),
            (
                "Montants indexés du revenu d'intégration",
                "À partir de quand les montants indexés du RI sont-ils applicables ?",
            ),
            (
                "RI pour un étudiant",
                "Un étudiant de 19 ans vivant chez ses parents a-t-il droit au revenu d'intégration ?",
            ),
        ],
        "de": [
            (
                "Berechnung Eingliederungseinkommen",
                "Wie wird das Eingliederungseinkommen für eine zusammenwohnende Person berechnet?",
            )
        ],
        "en": [
            (
                "Integration income for a cohabitant",
                "How is the integration income calculated for an applicant who lives with a partner?",
            )
        ],
    },
    "gpmi": {
        "nl": [
            (
                "Verplichting GPMI voor jongeren",
                "Is een GPMI verplicht voor een aanvrager jonger dan 25 jaar die studeert?",
            )
        ],
        "fr": [
            (
                "PIIS obligatoire pour les jeunes",
                "Le PIIS est-il obligatoire pour un demandeur de moins de 25 ans aux études ?",
            )
        ],
        "de": [],
        "en": [],
    },
    "article-60": {
        "nl": [
            (
                "Subsidie tewerkstelling artikel 60",
                "Welke staatstoelage krijgen we voor een tewerkstelling artikel 60 §7 bij een sociale economiepartner?",
            )
        ],
        "fr": [
            (
                "Subside article 60",
                "Quel est le montant de la subvention pour une mise à l'emploi article 60 §7 ?",
            )
        ],
        "de": [
            (
                "Zuschuss Artikel 60",
                "Welcher Zuschuss gilt für eine Beschäftigung nach Artikel 60 §7?",
            )
        ],
        "en": [],
    },
    "reimbursement-1965": {
        "nl": [
            (
                "Terugbetaling steun wet 1965 geweigerd",
                "Onze aanvraag tot terugbetaling voor steun aan een niet-ingeschreven vreemdeling werd geweigerd. Waarom?",
            ),
            (
                "Termijn indienen formulier D1",
                "Binnen welke termijn moeten we het formulier D1 indienen voor de terugbetaling?",
            ),
        ],
        "fr": [
            (
                "Remboursement loi 1965 refusé",
                "Notre demande de remboursement pour une aide accordée à un étranger a été refusée. Pourquoi ?",
            ),
            (
                "Délai d'introduction du formulaire D1",
                "Dans quel délai devons-nous introduire le formulaire D1 ?",
            ),
        ],
        "de": [],
        "en": [],
    },
    "urgent-medical-aid": {
        "nl": [
            (
                "MediPrima: ziekenhuisfactuur",
                "Een ziekenhuis vraagt ons de beslissing dringende medische hulp in MediPrima in te voeren. Hoe gaat dat?",
            )
        ],
        "fr": [
            (
                "MediPrima : facture d'hôpital",
                "Comment encoder une décision d'aide médicale urgente dans MediPrima ?",
            )
        ],
        "de": [
            (
                "MediPrima Krankenhausrechnung",
                "Wie wird eine Entscheidung zur dringenden medizinischen Hilfe in MediPrima erfasst?",
            )
        ],
        "en": [
            (
                "Urgent medical aid for a visitor",
                "Is a tourist who fell ill entitled to urgent medical aid?",
            )
        ],
    },
    "competence-conflicts": {
        "nl": [
            (
                "Bevoegdheidsconflict met OCMW Antwerpen",
                "Wij en het OCMW Antwerpen verklaren ons allebei onbevoegd voor een dakloze aanvrager. Wie is bevoegd?",
            )
        ],
        "fr": [
            (
                "Conflit de compétence avec le CPAS de Liège",
                "Notre CPAS et celui de Liège se déclarent incompétents pour un sans-abri. Qui est compétent ?",
            )
        ],
        "de": [
            (
                "Zuständigkeitskonflikt mit ÖSHZ Eupen",
                "Welches ÖSHZ ist für einen Obdachlosen zuständig, der zwischen zwei Gemeinden wechselt?",
            )
        ],
        "en": [],
    },
    "novaprima": {
        "nl": [
            (
                "Geen toegang tot NovaPrima",
                "Onze nieuwe maatschappelijk werker krijgt geen toegang tot NovaPrima. Welke rol moet de lokale beheerder toekennen?",
            ),
            (
                "Foutmelding bij versturen e-formulier",
                "Bij het versturen van een e-formulier krijgen we de foutmelding 'validatie mislukt'.",
            ),
        ],
        "fr": [
            (
                "Pas d'accès à NovaPrima",
                "Notre nouvelle assistante sociale n'a pas accès à NovaPrima. Quel rôle attribuer ?",
            ),
            (
                "Erreur à l'envoi d'un formulaire",
                "L'envoi d'un formulaire électronique échoue avec le message « validation échouée ».",
            ),
        ],
        "de": [
            (
                "Kein Zugang zu NovaPrima",
                "Unsere neue Sozialarbeiterin hat keinen Zugang zu NovaPrima.",
            )
        ],
        "en": [],
    },
    "energy-funds": {
        "nl": [
            (
                "Stookoliefonds: bewijs van inkomen",
                "Welke bewijsstukken van inkomen moet een aanvrager van de verwarmingstoelage voorleggen?",
            ),
            (
                "Gas- en elektriciteitsfonds: jaarverslag",
                "Tegen wanneer moet het jaarverslag over het gas- en elektriciteitsfonds ingediend worden?",
            ),
        ],
        "fr": [
            (
                "Fonds chauffage : preuve de revenus",
                "Quelles preuves de revenus pour l'allocation de chauffage ?",
            ),
            (
                "Fonds gaz-électricité : rapport annuel",
                "Quelle est la date limite du rapport annuel du Fonds gaz-électricité ?",
            ),
        ],
        "de": [
            (
                "Heizölfonds Einkommensnachweis",
                "Welche Einkommensnachweise braucht der Sozialer Heizölfonds?",
            )
        ],
        "en": [("Heating allowance", "Who can apply for the heating allowance and where?")],
    },
    "participation": {
        "nl": [
            (
                "Besteding middelen participatie",
                "Mogen de middelen voor participatie en sociale activering gebruikt worden voor sportkampen van kinderen?",
            )
        ],
        "fr": [
            (
                "Utilisation des moyens participation",
                "Les moyens de participation et d'activation sociale peuvent-ils financer des stages sportifs ?",
            )
        ],
        "de": [],
        "en": [],
    },
    "debt-mediation": {
        "nl": [
            (
                "Erkenning schuldbemiddeling",
                "Hoe vraagt een OCMW de erkenning als instelling voor schuldbemiddeling aan?",
            )
        ],
        "fr": [
            (
                "Agrément médiation de dettes",
                "Comment un CPAS obtient-il l'agrément pour la médiation de dettes ?",
            )
        ],
        "de": [],
        "en": [("Help with debts", "I have debts I cannot pay. Who can help me?")],
    },
    "poverty-eu-funds": {
        "nl": [
            (
                "Oproep Europees Sociaal Fonds",
                "Wanneer opent de volgende oproep voor projecten armoedebestrijding met Europese fondsen?",
            )
        ],
        "fr": [
            (
                "Appel Fonds social européen",
                "Quand le prochain appel à projets FSE+ sera-t-il lancé ?",
            )
        ],
        "de": [],
        "en": [],
    },
    "subsidies-statistics": {
        "nl": [
            (
                "Statistieken leefloon per gemeente",
                "Waar vind ik het aantal leefloners per gemeente voor 2025?",
            )
        ],
        "fr": [
            (
                "Statistiques RI par commune",
                "Où trouver le nombre de bénéficiaires du RI par commune ?",
            )
        ],
        "de": [],
        "en": [
            (
                "Statistics on integration income",
                "Where can I find statistics on integration income recipients?",
            )
        ],
    },
}

ANSWERS = {
    "nl": "Geachte,\n\nHartelijk dank voor uw vraag. U vindt het antwoord en de nodige formulieren op onze website. Aarzel niet om ons opnieuw te contacteren.\n\nMet vriendelijke groeten,\nFrontOffice POD MI",
    "fr": "Madame, Monsieur,\n\nMerci pour votre question. Vous trouverez la réponse et les formulaires utiles sur notre site. N'hésitez pas à nous recontacter.\n\nCordialement,\nFrontOffice SPP IS",
    "de": "Sehr geehrte Damen und Herren,\n\nvielen Dank für Ihre Frage. Die Antwort und die Formulare finden Sie auf unserer Website.\n\nMit freundlichen Grüßen\nFrontOffice ÖPD Sozialeingliederung",
    "en": "Dear client,\n\nThank you for your question. You will find the answer and the forms on our website.\n\nKind regards,\nFront office PPS Social Integration",
}
