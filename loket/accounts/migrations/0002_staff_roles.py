"""The five staff roles as groups with their permissions (DESIGN.md, "The people")."""

from django.db import migrations

MODEL_PERMISSIONS = {
    # app label, model: actions
    ("cases", "case"): ("view",),
    ("cases", "client"): ("view", "add", "change"),
    ("cases", "topic"): ("view",),
    ("accounts", "team"): ("view",),
}
CASE_PERMISSIONS = {
    "register_case": "Can register a case",
    "answer_case": "Can answer a case",
    "forward_case": "Can forward a case to the back office",
    "close_case": "Can close a case",
    "view_all_cases": "Can see every case",
    "view_reports": "Can read the indicators",
}
ROLES = {
    "front-office agent": {"register_case", "answer_case", "forward_case", "close_case",
                           "view_case", "view_client", "add_client", "change_client",
                           "view_topic", "view_team"},
    "back-office expert": {"answer_case", "close_case", "view_case", "view_client", "view_topic",
                           "view_team"},
    "coordinator": {"register_case", "answer_case", "forward_case", "close_case",
                    "view_all_cases", "view_reports", "view_case", "view_client", "add_client",
                    "change_client", "view_topic", "view_team"},
    "manager": {"view_all_cases", "view_reports", "view_case", "view_client", "view_topic",
                "view_team"},
    "administrator": {"view_all_cases", "view_reports", "view_case", "view_client", "add_client",
                      "change_client", "view_topic", "view_team"},
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = {}
    for (app_label, model), actions in MODEL_PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            codename = f"{action}_{model}"
            permissions[codename], _ = Permission.objects.get_or_create(
                codename=codename, content_type=content_type,
                defaults={"name": f"Can {action} {model}"},
            )
    case_type, _ = ContentType.objects.get_or_create(app_label="cases", model="case")
    for codename, name in CASE_PERMISSIONS.items():
        permissions[codename], _ = Permission.objects.get_or_create(
            codename=codename, content_type=case_type, defaults={"name": name}
        )
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(permissions[c] for c in sorted(codenames)))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
