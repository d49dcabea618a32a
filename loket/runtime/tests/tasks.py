from django.tasks import task

RUNS: list[str] = []


@task
def probe() -> None:
    RUNS.append("ran")
