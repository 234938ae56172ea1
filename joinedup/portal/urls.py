from django.urls import path

from . import staff_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("sign-in/code", views.sign_in_code, name="sign-in-code"),
    path("two-factor", views.two_factor, name="two-factor"),
    path("join/<str:token>", views.join, name="join"),
    path("plan/", views.plan, name="plan"),
    path("plan/easy-read", views.plan_easy_read, name="plan-easy-read"),
    path("plan.pdf", views.plan_download, name="plan-pdf"),
    path("plan/change/<slug:section>", views.change_section, name="plan-change"),
    path("plan/goals/<slug:goal_id>", views.goal_progress, name="goal"),
    path("message", views.message, name="message"),
    path("my-data", views.my_data, name="my-data"),
    path("find-support", views.find_support, name="find-support"),
    path("find-support/shortlists/<int:shortlist_id>.pdf", views.shortlist_pdf, name="shortlist"),
    path("find-support/<str:oruk_id>", views.service, name="service"),
    path("find-support/<str:oruk_id>/report", views.report, name="report"),
    path("carers", views.carers, name="carers"),
    path("proxy/<str:token>", views.accept_proxy, name="proxy-accept"),
    path("for/<int:person_id>/", views.proxy_plan, name="proxy-plan"),
    path("for/<int:person_id>/messages", views.proxy_messages, name="proxy-messages"),
    # Staff: invite a resident (through the staff access rule).
    path("invite/<int:person_id>", staff_views.invite, name="invite"),
]
