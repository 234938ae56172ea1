from django.urls import path

from .views import assembly, boards, feedback, panel, surveys

app_name = "engagement"
urlpatterns = [
    path("", feedback.home, name="home"),
    path("events/", feedback.events, name="events"),
    path("feedback/", feedback.feedback, name="feedback"),
    path("feedback/<int:pk>", feedback.feedback_item, name="feedback-item"),
    path("feedback/give", feedback.give_feedback, name="give-feedback"),
    path("what-people-told-us", feedback.report, name="told-us"),
    path("surveys/", surveys.surveys, name="surveys"),
    path("surveys/<int:pk>", surveys.survey, name="survey"),
    path("survey/<str:token>", surveys.answer, name="survey-answer"),
    path("boards/", boards.boards, name="boards"),
    path("boards/<int:pk>/", boards.board, name="board"),
    path("boards/<int:pk>/meetings/<int:meeting>", boards.meeting, name="meeting"),
    path("panel/join", panel.join, name="join"),
    path("panel/joined", panel.joined, name="joined"),
    path("panel/leave/<str:token>", panel.leave, name="leave"),
    path("panel/", panel.panel, name="panel"),
    path("assemblies/", assembly.assemblies, name="assemblies"),
    path("assemblies/<int:pk>/", assembly.assembly, name="assembly"),
    path("assemblies/<int:pk>/selection/<int:run>", assembly.selection, name="selection"),
    path("assemblies/<int:pk>/members", assembly.members, name="members"),
    path("assemblies/<int:pk>/sessions/", assembly.sessions, name="sessions"),
    path("assemblies/<int:pk>/sessions/<int:number>", assembly.session, name="session"),
    path("assemblies/<int:pk>/recommendations/", assembly.recommendations, name="recommendations"),
    path(
        "assemblies/<int:pk>/recommendations/<int:number>",
        assembly.recommendation,
        name="recommendation",
    ),
    path("assemblies/<int:pk>/report", assembly.report, name="report"),
    path("assemblies/<int:pk>/report.pdf", assembly.report_pdf, name="report-pdf"),
    path("invitation/<str:token>", assembly.invitation, name="invitation"),
]
