"""A few reply templates in the four languages (GLOSSARY.md's words), editable in the admin.
Idempotent: a template already there (same name and language) is left as the administrator
made it."""

from django.db import migrations

TEMPLATES = {
    "nl": [
        (
            "Antwoord",
            "Geachte {{ client_name }},\n\n"
            "Hartelijk dank voor uw vraag over \"{{ subject }}\".\n\n\n\n"
            "Met vriendelijke groeten,\n{{ agent_name }}\n"
            "FrontOffice POD Maatschappelijke Integratie\n"
            "Registratienummer: {{ reference }}",
        ),
        (
            "Bijkomende informatie nodig",
            "Geachte {{ client_name }},\n\n"
            "Om uw vraag (registratienummer {{ reference }}) te kunnen beantwoorden, hebben wij "
            "de volgende gegevens nodig:\n\n- \n\n"
            "U mag gewoon op deze e-mail antwoorden.\n\n"
            "Met vriendelijke groeten,\n{{ agent_name }}\n"
            "FrontOffice POD Maatschappelijke Integratie",
        ),
        (
            "Doorverwijzing naar het OCMW",
            "Geachte {{ client_name }},\n\n"
            "Voor uw vraag is het OCMW van uw gemeente bevoegd. Zij beslissen over het leefloon "
            "en de maatschappelijke hulp en kunnen uw situatie persoonlijk bekijken.\n\n"
            "Met vriendelijke groeten,\n{{ agent_name }}\n"
            "FrontOffice POD Maatschappelijke Integratie\n"
            "Registratienummer: {{ reference }}",
        ),
    ],
    "fr": [
        (
            "Réponse",
            "Madame, Monsieur,\n\n"
            "Nous vous remercions pour votre question concernant « {{ subject }} ».\n\n\n\n"
            "Veuillez agréer nos salutations distinguées.\n{{ agent_name }}\n"
            "FrontOffice SPP Intégration sociale\n"
            "Numéro d'enregistrement : {{ reference }}",
        ),
        (
            "Informations complémentaires nécessaires",
            "Madame, Monsieur,\n\n"
            "Pour répondre à votre question (numéro d'enregistrement {{ reference }}), nous "
            "avons besoin des informations suivantes :\n\n- \n\n"
            "Il vous suffit de répondre à cet e-mail.\n\n"
            "Veuillez agréer nos salutations distinguées.\n{{ agent_name }}\n"
            "FrontOffice SPP Intégration sociale",
        ),
        (
            "Renvoi vers le CPAS",
            "Madame, Monsieur,\n\n"
            "Le CPAS de votre commune est compétent pour votre question. Il décide du revenu "
            "d'intégration et de l'aide sociale et peut examiner votre situation personnellement."
            "\n\nVeuillez agréer nos salutations distinguées.\n{{ agent_name }}\n"
            "FrontOffice SPP Intégration sociale\n"
            "Numéro d'enregistrement : {{ reference }}",
        ),
    ],
    "de": [
        (
            "Antwort",
            "Sehr geehrte Damen und Herren,\n\n"
            "vielen Dank für Ihre Frage zu „{{ subject }}“.\n\n\n\n"
            "Mit freundlichen Grüßen\n{{ agent_name }}\n"
            "FrontOffice ÖPD Sozialeingliederung\n"
            "Registriernummer: {{ reference }}",
        ),
        (
            "Weitere Angaben erforderlich",
            "Sehr geehrte Damen und Herren,\n\n"
            "um Ihre Frage (Registriernummer {{ reference }}) beantworten zu können, benötigen "
            "wir folgende Angaben:\n\n- \n\n"
            "Sie können einfach auf diese E-Mail antworten.\n\n"
            "Mit freundlichen Grüßen\n{{ agent_name }}\n"
            "FrontOffice ÖPD Sozialeingliederung",
        ),
        (
            "Verweis an das ÖSHZ",
            "Sehr geehrte Damen und Herren,\n\n"
            "für Ihre Frage ist das ÖSHZ Ihrer Gemeinde zuständig. Es entscheidet über das "
            "Eingliederungseinkommen und die Sozialhilfe und kann Ihre Lage persönlich prüfen.\n\n"
            "Mit freundlichen Grüßen\n{{ agent_name }}\n"
            "FrontOffice ÖPD Sozialeingliederung\n"
            "Registriernummer: {{ reference }}",
        ),
    ],
    "en": [
        (
            "Answer",
            "Dear {{ client_name }},\n\n"
            "Thank you for your question about \"{{ subject }}\".\n\n\n\n"
            "Kind regards,\n{{ agent_name }}\n"
            "Front office, PPS Social Integration\n"
            "Registration number: {{ reference }}",
        ),
        (
            "More information needed",
            "Dear {{ client_name }},\n\n"
            "To answer your question (registration number {{ reference }}), we need the "
            "following information:\n\n- \n\n"
            "You can simply reply to this e-mail.\n\n"
            "Kind regards,\n{{ agent_name }}\n"
            "Front office, PPS Social Integration",
        ),
        (
            "Referral to the welfare centre",
            "Dear {{ client_name }},\n\n"
            "The public social welfare centre (OCMW/CPAS) of your municipality is competent for "
            "your question. It decides on the integration income and social aid and can look at "
            "your situation in person.\n\n"
            "Kind regards,\n{{ agent_name }}\n"
            "Front office, PPS Social Integration\n"
            "Registration number: {{ reference }}",
        ),
    ],
}


def ship(apps, schema_editor):
    ReplyTemplate = apps.get_model("desk", "ReplyTemplate")
    for language, templates in TEMPLATES.items():
        for name, body in templates:
            ReplyTemplate.objects.get_or_create(
                name=name, language=language, defaults={"body": body}
            )


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_reply_templates_attachments_queue_defaults")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
