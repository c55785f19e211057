from celery import shared_task


@shared_task(name="kiemdiem.run_job", acks_late=True)
def run_job_task(job_id: int) -> None:
    from .jobs import run_job

    run_job(job_id)
