from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import throttle
from .htmx import render_page
from .models import Job, Notification


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("org_tree")


class LoginView(auth_views.LoginView):
    """Django's login, throttled per username and IP address (see core/throttle.py): once
    blocked, the password is not even checked until the window ends."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username, ip = request.POST.get("username", ""), throttle.client_ip(request)
        if throttle.login_blocked(username, ip):
            minutes = max(1, throttle.window() // 60)
            message = _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.") % {"minutes": minutes}
            context = self.get_context_data(form=self.form_class(request), throttled=message)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.login_failed(self.request.POST.get("username", ""), throttle.client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.login_succeeded(self.request.POST.get("username", ""), throttle.client_ip(self.request))
        return super().form_valid(form)


def _get_job_for_user(user, job_id: int) -> Job:
    """A job is visible to whoever started it, and to superusers; 404 for everyone else."""
    try:
        job = Job.objects.get(pk=job_id)
    except Job.DoesNotExist:
        raise Http404
    if not (user.is_superuser or job.created_by_id == user.pk):
        raise Http404
    return job


@login_required
def job_detail(request, job_id: int):
    job = _get_job_for_user(request.user, job_id)
    return render_page(request, "core/job.html", "core/partials/job_progress.html", {"job": job})


@login_required
def notifications(request):
    """The user's own notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    page = Paginator(Notification.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


def healthz(request):
    """Liveness and database check for load balancers."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})
