"""The demo borough's citizens' panel: about 1,200 residents who joined, drawn from the
synthetic residents with the skew real panels have (older and less deprived people join
more often), so the representativeness page has something to show."""

from datetime import date, timedelta

import numpy as np

from joinedup.engagement import actions
from joinedup.engagement.models import PanelMember
from joinedup.people.models import Person

AGE_BANDS = ((16, "16-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55-64"),
             (65, "65-74"), (75, "75+"))  # fmt: skip
GROUP = {"A": "asian", "B": "black", "M": "mixed", "W": "white", "O": "other"}


def _band(born: date, today: date) -> str | None:
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    found = None
    for low, band in AGE_BANDS:
        if age >= low:
            found = band
    return found


def build_panel(*, size: int = 1200, seed: int = 1, today: date | None = None) -> int:
    """Add the demo panel (once: does nothing if there is a panel already)."""
    if PanelMember.objects.exists():
        return 0
    today = today or date.today()
    rng = np.random.default_rng(seed)
    people = list(
        Person.objects.filter(date_of_death=None, merged_into=None)
        .exclude(lsoa=None)
        .values_list(
            "given_name",
            "family_name",
            "birth_date",
            "sex",
            "ethnicity",
            "postcode",
            "lsoa_id",
            "lsoa__imd_decile",
            "pk",
        )  # fmt: skip
    )
    candidates, weights = [], []
    for row in people:
        band = _band(row[2], today)
        if band is None:
            continue
        # Older and less deprived residents answer more often.
        weight = (1.0 + 0.25 * [b for _, b in AGE_BANDS].index(band)) * (0.6 + 0.08 * row[7])
        candidates.append((row, band))
        weights.append(weight)
    if not candidates:
        return 0
    p = np.array(weights) / sum(weights)
    picks = rng.choice(len(candidates), size=min(size, len(candidates)), replace=False, p=p)
    members = []
    for j in picks:
        (given, family, _, sex, ethnicity, postcode, lsoa_id, _, pk), band = candidates[int(j)]
        say = rng.random()
        members.append(
            {
                "given_name": given,
                "family_name": family,
                "email": f"panel.{pk}@example.invalid",
                "contact_by": "email",
                "postcode": postcode,
                "lsoa_id": lsoa_id,
                "age_band": band,
                "sex": sex if sex in ("female", "male") else "not_said",
                "ethnic_group": "not_said" if say < 0.04 else GROUP.get(ethnicity[:1], "not_said"),
                "disability": "yes" if say < 0.22 else "no",
                "lgbt": "yes" if rng.random() < 0.06 else ("not_said" if say > 0.9 else "no"),
                "carer": "yes" if rng.random() < 0.15 else "no",
            }
        )
    return actions.add_demo_members(members=members)


# --- The rest of engagement: assemblies, a panel survey, events, feedback, boards --------------

# What residents say, by theme (the generator's truth; the classifier only sees the words).
SAYINGS = {
    "prevention": [
        "there should be more free exercise classes for older people",
        "stop smoking help is hard to find at the pharmacy",
        "the leisure centre is too expensive for families like mine",
        "healthy food costs too much in the shops near the estate",
        "I want advice on losing weight that fits my culture",
        "the health check at the GP caught my blood pressure early",
        "walking groups in the park have really helped my neighbours",
        "young people need somewhere safe to go in the evenings",
        "damp in our flat keeps making the children ill",
        "more people would get their flu jab if it was offered at the mosque",
    ],
    "maternity-children": [
        "my midwife changed at every appointment",
        "the health visitor never came after my baby was born",
        "waiting two years for an autism assessment for my son is too long",
        "there is no breastfeeding support near me",
        "the children's centre closing has left new mums isolated",
        "school nurses should talk about mental health",
        "the maternity ward was understaffed at night",
        "my daughter waited months for speech therapy",
    ],
    "primary-social-community": [
        "I cannot get a GP appointment unless I ring at 8am",
        "the receptionist was rude when I asked for a same day appointment",
        "the district nurses who visit my husband are wonderful",
        "carers come at different times every day and never stay long enough",
        "nobody told me what social care my mother could get",
        "I had to tell my story again to every new person",
        "the pharmacist explained my new medicines better than anyone",
        "getting a home care package took four months",
        "I would like to see the same doctor each time",
        "the social prescriber linked me to a gardening group and I feel less alone",
    ],
    "urgent-emergency": [
        "I waited nine hours in A&E with my father",
        "the ambulance took over an hour to come",
        "111 sent me to A&E when a pharmacist could have helped",
        "the urgent treatment centre was quick and kind",
        "there was nowhere to sit in the emergency department",
        "after A&E nobody followed up with my GP",
    ],
    "mental-health": [
        "the crisis team never called me back",
        "I have waited a year for talking therapy",
        "my son with learning disabilities was not given a longer appointment",
        "there is nothing for young people's mental health until they are in crisis",
        "the peer support group saved my life",
        "autistic adults have no support after diagnosis",
        "staff did not understand my anxiety",
        "I felt listened to by the community mental health nurse",
    ],
    "cancer": [
        "I waited six weeks for my scan results",
        "the chemotherapy nurses were kind and explained everything",
        "nobody told me about screening in my language",
        "travelling to the cancer centre for radiotherapy every day was exhausting",
        "the Macmillan support worker helped with money worries",
        "my mother's cancer was missed by the GP twice",
    ],
    "hospital-specialist": [
        "my hip operation was cancelled three times",
        "the outpatient letter came after the appointment date",
        "parking at the hospital costs too much for regular visits",
        "the ward staff were excellent but the food was cold",
        "I was discharged late at night with no transport home",
        "the waiting list for the eye clinic is over a year",
        "the specialist and my GP did not talk to each other",
    ],
    "other": [
        "the bus to the health centre only runs once an hour",
        "thank you for asking our views",
        "the website is confusing and out of date",
        "interpreters are not booked when they should be",
    ],
}
OPENERS = ["", "Honestly, ", "In my experience ", "As a carer, ", "Speaking for my family, ",
           "I want to say that ", "My concern is that ", "Last year "]  # fmt: skip
CLOSERS = [".", ". Please do something about it.", ". It made a big difference.",
           ". This needs to change.", ". I hope this helps.", "!"]  # fmt: skip
ORGANISERS = ["Healthwatch", "Healthwatch", "Healthwatch", "Council community team",
              "Mental health trust", "Voluntary sector forum", "Public health"]  # fmt: skip
EVENT_KINDS = ["Listening event", "Community drop-in", "Carers' coffee morning",
               "Youth forum", "Faith leaders' forum", "Market stall",
               "Older people's lunch club"]  # fmt: skip
PLACES = ["Central library", "Town hall", "Community centre", "Leisure centre", "Mosque hall",
          "Church hall", "Youth club", "Market square"]  # fmt: skip


def _comment(rng, theme: str) -> str:
    saying = SAYINGS[theme][int(rng.integers(len(SAYINGS[theme])))]
    opener = OPENERS[int(rng.integers(len(OPENERS)))]
    text = f"{opener}{saying}{CLOSERS[int(rng.integers(len(CLOSERS)))]}"
    return text[0].upper() + text[1:]


def build_engagement(*, seed: int = 1, today: date | None = None, say=print) -> dict:
    """The demo borough's engagement beyond the panel (once): a finished assembly with
    its report, a current one with its selection worked out and waiting to be drawn, a
    panel survey, a year of events and 540 comments, and two partnership boards."""
    from django.contrib.auth import get_user_model

    from joinedup.core.models import Organisation, OrganisationType
    from joinedup.engagement.models import Assembly, Board, EngagementEvent

    built = Assembly.objects.exists() or Board.objects.exists() or EngagementEvent.objects.exists()
    if built or not PanelMember.objects.exists():
        return {}
    today = today or date.today()
    rng = np.random.default_rng(seed)
    officer = get_user_model().objects.filter(username="engagement").first()
    partners = list(Organisation.objects.exclude(type=OrganisationType.GP_PRACTICE).order_by("pk"))
    practices = list(Organisation.objects.filter(type=OrganisationType.GP_PRACTICE)[:3])
    actions.ensure_themes()
    figures = {}
    panel = PanelMember.objects.filter(withdrawn_at=None).count()
    # Assemblies need a pool several times their size: small test boroughs get small ones.
    size = min(40, panel // 8)
    if size >= 6:
        figures["past assembly"] = _past_assembly(rng, officer, partners, today, say, size)
        figures["current assembly"] = _current_assembly(rng, officer, say, size * 3 // 4, today)
    figures["survey answers"] = _survey(rng, officer)
    figures["events"], figures["comments"] = _events_and_feedback(rng, officer, partners, today)
    figures["board decisions"] = _boards(rng, officer, partners + practices, today)
    return figures


def _dated(day: date) -> dict:
    return {"held_on-day": day.day, "held_on-month": day.month, "held_on-year": day.year}


def _past_assembly(rng, officer, partners, today: date, say, size: int) -> int:
    from joinedup.engagement.models import (
        HELD,
        Recommendation,
        Respondent,
        SeatStatus,
        Support,
    )

    assembly = actions.create_assembly(
        by=officer,
        name="Citizens' assembly on ageing well",
        question="What should health and care services in the borough do so that people can "
        "live well with several long-term conditions as they get older?",
        categories=["age_band", "sex", "ethnic_group", "imd_quintile"],
        size=size,
    )
    actions.add_pool_from_panel(by=officer, assembly=assembly)
    actions.suggest_quotas(by=officer, assembly=assembly)
    run = actions.start_selection(by=officer, assembly=assembly)
    run = actions.run_selection(run.pk)
    say(f"  past assembly: LEXIMIN over {run.pool_size} in {run.summary.get('seconds')} s")
    actions.draw_panel(
        by=officer, run=run, seed=20260512, link_base="http://127.0.0.1:8000/x/", notify=False
    )
    chosen = list(Respondent.objects.filter(assembly=assembly, status=SeatStatus.SELECTED))
    for n, member in enumerate(chosen):
        status = SeatStatus.DECLINED if n % 13 == 5 else SeatStatus.CONFIRMED
        actions.record_answer(by=officer, respondent=member, status=status)
    if Respondent.objects.filter(assembly=assembly, status__in=HELD).count() < assembly.size:
        again = actions.run_selection(actions.start_selection(by=officer, assembly=assembly).pk)
        if again.status == "done":
            actions.draw_panel(
                by=officer, run=again, seed=20260519, link_base="http://x/", notify=False
            )
            for member in Respondent.objects.filter(assembly=assembly, status=SeatStatus.SELECTED):
                actions.record_answer(by=officer, respondent=member, status=SeatStatus.CONFIRMED)
    members = list(Respondent.objects.filter(assembly=assembly, status__in=HELD))
    start = today - timedelta(days=200)
    topics = [
        ("Living with several conditions", "What multimorbidity means day to day"),
        ("Care that joins up", "How GP, community and social care work together"),
        ("Staying well at home", "Frailty, falls and support at home"),
        ("Carers", "What unpaid carers need"),
        ("Deciding our recommendations", "Small groups draft; the assembly votes"),
    ]
    for week, (title, topic) in enumerate(topics):
        session = actions.add_session(
            by=officer,
            assembly=assembly,
            data={
                "title": title,
                "place": "Town hall",
                **_dated(start + timedelta(weeks=2 * week)),
                "summary": f"Evidence and discussion: {topic.lower()}.",
            },  # fmt: skip
        )
        for k in range(2):
            org = partners[int(rng.integers(len(partners)))]
            actions.add_speaker(
                by=officer,
                session=session,
                data={
                    "name": f"Speaker {week * 2 + k + 1}",
                    "role": "Lead",
                    "organisation": org.pk,
                    "topic": topic,
                },  # fmt: skip
            )
        for q in range(3):
            actions.add_question(
                by=officer,
                session=session,
                data={
                    "question": f"How would this work for people who live alone? ({q + 1})",
                    "answer": "The speaker explained the current service and its gaps.",
                    "asked_by": f"Group {'ABCDE'[q]}",
                },  # fmt: skip
            )
        actions.record_attendance(
            by=officer, session=session, present=[m.pk for m in members if rng.random() < 0.88]
        )
    groups = actions.make_groups(by=officer, assembly=assembly, count=5)
    drafts = [
        ("One care plan, told once", "Everyone with three or more long-term conditions has one "
         "shared care plan that every service uses, so no one repeats their story."),
        ("A named coordinator", "Each person with complex needs has one named person to call."),
        ("Longer GP appointments", "People with several conditions get longer appointments "
         "covering all of them at once."),
        ("Support for carers", "Unpaid carers are identified by their GP and offered a "
         "carer's assessment within a month."),
        ("Help at home after hospital", "No one is discharged without support at home agreed."),
        ("Information in every language", "Letters and leaflets in the main community "
         "languages, and interpreters booked automatically."),
        ("Free parking for regular patients", "Free hospital parking for people with weekly "
         "appointments."),
    ]  # fmt: skip
    for n, (title, text) in enumerate(drafts):
        recommendation = actions.add_recommendation(
            by=officer,
            assembly=assembly,
            data={"title": title, "text": text, "group": groups[n % len(groups)].pk},
        )
        lean = 0.9 if n < 6 else 0.35
        votes = {}
        for m in members:
            r = rng.random()
            votes[str(m.pk)] = (
                Support.STRONGLY if r < lean * 0.55 else Support.SUPPORT if r < lean
                else Support.LIVE_WITH if r < lean + 0.3 * (1 - lean) else Support.OPPOSE
            )  # fmt: skip
        actions.record_votes(by=officer, recommendation=recommendation, votes=votes)
        actions.decide_recommendation(
            by=officer,
            recommendation=recommendation,
            status="agreed" if n < 6 else "not_agreed",
        )
    actions.finish_assembly(by=officer, assembly=assembly)
    return Recommendation.objects.filter(assembly=assembly).count()


def _current_assembly(rng, officer, say, size: int, today: date) -> int:
    """Invitation replies from residents (some sharing an address), quotas set, and the
    selection worked out, waiting for the public draw."""
    people = list(
        Person.objects.filter(date_of_death=None, merged_into=None)
        .exclude(lsoa=None)
        .order_by("pk")
        .values_list(
            "pk", "given_name", "family_name", "birth_date", "sex", "ethnicity", "postcode"
        )[:20000]  # fmt: skip
    )
    if not people:
        return 0
    picks = rng.choice(len(people), size=min(12 * size, len(people)), replace=False)
    lines = ["id,given_name,family_name,email,phone,address,postcode,age_band,sex,ethnic_group,"
             "disability,carer,lgbt"]  # fmt: skip
    for n, j in enumerate(picks):
        pk, given, family, born, sex, ethnicity, postcode = people[int(j)]
        band = _band(born, today)
        if band is None:
            continue
        house = n - 1 if n % 17 == 16 else n  # a few households reply twice
        lines.append(
            f"reply-{n + 1},{given},{family},reply.{pk}@example.invalid,,"
            f"{house + 1} Station Road,{postcode},{band},"
            f"{sex if sex in ('female', 'male') else 'not_said'},"
            f"{GROUP.get((ethnicity or '')[:1], 'not_said')},"
            f"{'yes' if rng.random() < 0.2 else 'no'},{'yes' if rng.random() < 0.12 else 'no'},"
            f"{'yes' if rng.random() < 0.05 else 'no'}"
        )
    assembly = actions.create_assembly(
        by=officer,
        name="Citizens' assembly on mental health 2027",
        question="How should we support people's mental health and wellbeing in the borough?",
        size=size,
        categories=["age_band", "sex", "ethnic_group", "imd_quintile", "disability"],
    )
    actions.add_replies(by=officer, assembly=assembly, text="\n".join(lines) + "\n",
                        name="replies-to-invitation-letters.csv")  # fmt: skip
    actions.suggest_quotas(by=officer, assembly=assembly)
    run = actions.run_selection(actions.start_selection(by=officer, assembly=assembly).pk)
    say(f"  current assembly: {run.status}, LEXIMIN over {run.pool_size} "
        f"in {run.summary.get('seconds')} s")  # fmt: skip
    return run.pool_size


def _survey(rng, officer) -> int:
    from joinedup.engagement.models import SurveyAnswer, SurveyInvitation

    survey = actions.create_survey(
        by=officer,
        data={
            "title": "Getting a GP appointment",
            "intro": "Two questions about getting help from your GP practice.",
            "questions": "How easy is it to get a GP appointment when you need one?\nEasy\n"
            "Neither easy nor hard\nHard\n\nWould you be happy to have a video appointment?\n"
            "Yes\nNo\nNot sure\n",
            "days": "30",
        },
    )
    actions.send_survey(
        by=officer, survey=survey, link_base="http://127.0.0.1:8000/x/", notify=False
    )
    questions = list(survey.questions.all())
    answered = 0
    now = survey.sent_at
    for invitation in SurveyInvitation.objects.filter(survey=survey).select_related("member"):
        older = invitation.member.age_band in ("65-74", "75+")
        if rng.random() > (0.55 if older else 0.35):
            continue
        hard = rng.random() < (0.45 if older else 0.6)
        video = rng.choice(3, p=[0.3, 0.5, 0.2] if older else [0.7, 0.15, 0.15])
        SurveyAnswer.objects.bulk_create(
            [
                SurveyAnswer(invitation=invitation, question=questions[0],
                             option=2 if hard else int(rng.integers(2))),
                SurveyAnswer(invitation=invitation, question=questions[1], option=int(video)),
            ]
        )  # fmt: skip
        invitation.answered_at = now
        invitation.save()
        answered += 1
    return answered


def _events_and_feedback(rng, officer, partners, today: date) -> tuple[int, int]:
    from joinedup.engagement.actions.feedback import theme_model
    from joinedup.engagement.models import EngagementEvent, Feedback

    healthwatch = next((o for o in partners if o.type == "healthwatch"), None)
    for n in range(40):
        organiser = ORGANISERS[n % len(ORGANISERS)]
        actions.add_event(
            by=officer,
            data={
                "title": f"{EVENT_KINDS[n % len(EVENT_KINDS)]} {n // len(EVENT_KINDS) + 1}",
                "organiser": organiser,
                "organisation": healthwatch.pk
                if healthwatch and organiser == "Healthwatch"
                else "",
                "place": PLACES[n % len(PLACES)],
                "people": str(int(rng.integers(6, 40))),
                **_dated(today - timedelta(days=int(rng.integers(1, 365)))),
            },
        )
    events = list(EngagementEvent.objects.all())
    themes = list(SAYINGS)
    share = np.array([0.16, 0.1, 0.3, 0.12, 0.14, 0.06, 0.09, 0.03])
    truth = []
    lines = ["text,channel,received_on,age_band,sex,consent_to_publish"]
    for n in range(540):
        theme = themes[int(rng.choice(len(themes), p=share / share.sum()))]
        text = _comment(rng, theme)
        if n % 61 == 7:
            text += " Ring me on 07700 900" + f"{100 + n:03d}"[-3:] + "."
        truth.append(theme)
        received = today - timedelta(days=int(rng.integers(1, 365)))
        channel = ["event", "online", "email", "letter", "phone", "social"][
            int(rng.choice(6, p=[0.45, 0.25, 0.12, 0.06, 0.06, 0.06]))
        ]
        band = ["", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"][
            int(rng.integers(8))
        ]
        sex = ["", "female", "male"][int(rng.integers(3))]
        lines.append(f'"{text}",{channel},{received.isoformat()},{band},{sex},'
                     f"{'yes' if rng.random() < 0.7 else 'no'}")  # fmt: skip
    actions.import_feedback(by=officer, text="\n".join(lines) + "\n", name="feedback-2026.csv")
    comments = list(Feedback.objects.order_by("pk"))
    # Comments given at events are linked to one; three in four have been confirmed.
    for comment, theme in zip(comments, truth, strict=True):
        if comment.channel == "event" and events:
            comment.event = events[int(rng.integers(len(events)))]
            comment.save(update_fields=["event"])
        if rng.random() < 0.75:
            clean = comment.text.split(" Ring me on")[0] if comment.personal_details else ""
            actions.confirm_theme(by=officer, feedback=comment, theme=theme, published_text=clean)
    theme_model()  # learn from the confirmations now rather than on the first page view
    return len(events), len(comments)


def _boards(rng, officer, organisations, today: date) -> int:
    from joinedup.engagement.models import Decision, Recommendation

    agreed = list(Recommendation.objects.filter(status="agreed").order_by("number"))
    boards = [
        actions.add_board(by=officer, data={"name": "Local care partnership operational board",
                                            "kind": "operational", "meets": "Monthly",
                                            "purpose": "Runs joined-up care day to day: every "
                                            "provider has a representative."}),
        actions.add_board(by=officer, data={"name": "Local care partnership strategic board",
                                            "kind": "strategic", "meets": "Monthly",
                                            "purpose": "Sets priorities and answers what residents "
                                            "tell us."}),
    ]  # fmt: skip
    first_names = ["Amina", "Ben", "Chloe", "Dev", "Esther", "Femi", "Grace", "Hamza", "Iris",
                   "Jon", "Kemi", "Liam", "Maya", "Nadia", "Owen", "Priya"]  # fmt: skip
    for b, board in enumerate(boards):
        for n, org in enumerate(organisations[: 16 if b == 0 else 8]):
            actions.add_board_member(
                by=officer,
                board=board,
                data={
                    "organisation": org.pk,
                    "member_name": f"{first_names[n]} {org.name.split()[0]}",
                    "role": "Director" if b else "Service lead",
                },  # fmt: skip
            )
    themes = ["primary-social-community", "urgent-emergency", "mental-health", "prevention",
              "hospital-specialist", "maternity-children"]  # fmt: skip
    for month in range(6):
        held = today - timedelta(days=30 * (6 - month))
        for b, board in enumerate(boards):
            meeting = actions.add_meeting(
                by=officer,
                board=board,
                data={
                    **_dated(held + timedelta(days=b)),
                    "agenda": "Welcome and apologies\nActions from last time\n"
                    "What residents told us this month\nAny other business",
                },  # fmt: skip
            )
            recommendation = agreed[(month * 2 + b) % len(agreed)] if agreed else None
            if recommendation:
                actions.add_agenda_item(
                    by=officer,
                    meeting=meeting,
                    data={
                        "title": f"Assembly recommendation: {recommendation.title}",
                        "recommendation": recommendation.pk,
                    },  # fmt: skip
                )
            theme = themes[(month + b) % len(themes)]
            actions.add_agenda_item(
                by=officer, meeting=meeting, data={"title": "Feedback theme", "theme": theme}
            )
            actions.save_minutes(
                by=officer,
                meeting=meeting,
                minutes="Members reviewed what residents said and the progress of actions.",
            )
            from django.http import QueryDict

            data = QueryDict(mutable=True)
            data["text"] = (
                f"Take forward '{recommendation.title}'" if recommendation
                else "Review waiting times"
            )  # fmt: skip
            data["owner"] = str(organisations[(month + b) % len(organisations)].pk)
            data.setlist("themes", [theme])
            data.setlist("recommendations", [str(recommendation.pk)] if recommendation else [])
            decision = actions.add_decision(by=officer, meeting=meeting, data=data)
            status = ["done", "in_progress", "in_progress", "agreed"][
                min(3, 5 - month) if month > 1 else 0
            ]
            actions.update_decision(
                by=officer,
                decision=decision,
                status=status,
                progress="Pilot running in two neighbourhoods" if status == "in_progress"
                else "Completed and reported to the board" if status == "done" else "",
            )  # fmt: skip
    return Decision.objects.count()
