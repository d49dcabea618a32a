"""Questions the demo service receives often and that no article answers: the gap finder must
find each group and propose it as an FAQ candidate. Subject and first message, as clients
write them (informal, typos and all). Planted into the recent demo cases by
`loket.knowledge.demo.knowledge_demo_load`."""

from __future__ import annotations

# group code -> (topic code, language, [(subject, message)])
PLANTED: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "integration-income-abroad": (
        "integration-income",
        "nl",
        [
            (
                "Leefloon tijdens vakantie in het buitenland",
                "Mag ik mijn leefloon behouden als ik drie weken op vakantie ga naar het "
                "buitenland om mijn familie te bezoeken?",
            ),
            (
                "Op reis met een leefloon",
                "Ik krijg een leefloon. Hoe lang mag ik naar het buitenland reizen zonder dat "
                "mijn leefloon stopt?",
            ),
            (
                "Verblijf in het buitenland en leefloon",
                "Mijn moeder is ziek in Turkije. Verlies ik mijn leefloon als ik een maand in "
                "het buitenland verblijf?",
            ),
            (
                "Vakantie buitenland leefloner",
                "Moet ik het OCMW verwittigen als ik met vakantie naar het buitenland ga? Ik heb "
                "een leefloon.",
            ),
            (
                "Leefloon en reis naar het buitenland",
                "Hoeveel weken per jaar mag een leefloner in het buitenland verblijven?",
            ),
            (
                "Leefloon geschorst na reis",
                "Het OCMW wil mijn leefloon schorsen omdat ik twee weken in het buitenland was. "
                "Mag dat?",
            ),
            (
                "Reizen met een leefloon",
                "Ik wil deze zomer naar Polen reizen voor een familiefeest. Loopt mijn leefloon "
                "door tijdens mijn verblijf in het buitenland?",
            ),
            (
                "Vraag over vakantie en leefloon",
                "Mag een leefloner op vakantie naar het buitenland en moet hij daarvoor "
                "toestemming vragen aan het OCMW?",
            ),
            ("leefloon buitenland", "hoe lang mag ik in het buitenland blijven met leefloon"),
        ],
    ),
    "integration-income-tax": (
        "integration-income",
        "nl",
        [
            (
                "Fiscaal attest leefloon",
                "Moet ik mijn leefloon aangeven in mijn belastingaangifte? Waar vind ik een "
                "fiscaal attest?",
            ),
            (
                "Belastingaangifte en leefloon",
                "Is het leefloon belastbaar? Ik moet mijn belastingaangifte invullen en weet "
                "niet wat ik moet aangeven.",
            ),
            (
                "Fiscale fiche van het OCMW",
                "Ik heb geen fiscale fiche gekregen van het OCMW voor mijn belastingaangifte. "
                "Is dat normaal?",
            ),
            (
                "Belastingen op leefloon",
                "Moet ik belastingen betalen op mijn leefloon? Ik vul mijn belastingaangifte in.",
            ),
            (
                "Attest voor de belastingen",
                "Voor mijn belastingaangifte vraagt men een fiscaal attest van het leefloon. "
                "Wie levert dat attest af?",
            ),
            (
                "Aangifte personenbelasting leefloner",
                "Hoe vul ik de aangifte personenbelasting in als ik een leefloon ontvang? Is "
                "het belastbaar?",
            ),
            (
                "Fiscaal attest kwijt",
                "Ik ben mijn fiscaal attest van het OCMW kwijt en heb het nodig voor de "
                "belastingaangifte.",
            ),
            (
                "Leefloon belastbaar?",
                "Is een leefloon belastbaar inkomen of niet? Ik twijfel voor mijn "
                "belastingaangifte.",
            ),
        ],
    ),
    "income-guarantee-elderly": (
        "integration",
        "fr",
        [
            (
                "Demande de GRAPA",
                "Ma mère a 67 ans et une petite pension. Comment demander la garantie de "
                "revenus aux personnes âgées (GRAPA) ?",
            ),
            (
                "GRAPA ou revenu d'intégration",
                "J'ai 66 ans, dois-je demander la GRAPA ou le revenu d'intégration au CPAS ?",
            ),
            (
                "Montant de la GRAPA",
                "Quel est le montant de la GRAPA pour une personne âgée qui vit seule ?",
            ),
            (
                "Garantie de revenus aux personnes âgées",
                "Qui paie la garantie de revenus aux personnes âgées et où faut-il introduire "
                "la demande de GRAPA ?",
            ),
            (
                "GRAPA refusée",
                "La GRAPA de mon père a été refusée à cause de sa pension. Peut-il faire un "
                "recours ?",
            ),
            (
                "Pension trop basse",
                "Ma pension est trop basse pour vivre. Ai-je droit à la GRAPA à 65 ans ?",
            ),
            ("grapa", "bonjour ma grapa n'est pas payée ce mois ci, a qui m'adresser"),
            (
                "Dossier GRAPA",
                "Mon grand-père reçoit la GRAPA. Comment vérifier son dossier de garantie de "
                "revenus aux personnes âgées ?",
            ),
        ],
    ),
}
