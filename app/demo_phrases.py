"""Phrase banks for the synthetic IPR study written by :mod:`app.demo_study`.

Everything here was written for Dyadic. Sentences are templates with slots filled per dyad:
``{T}``/``{C}``/``{X}`` are the therapist's, client's and interpreter's first names; ``{ts} {to} {tp}``
the therapist's pronouns (she/her/her), ``{cs} {co} {cp}`` the client's, ``{xs}`` the interpreter's;
a capital first letter (``{Ts}``, ``{Cp}`` …) gives the capitalised form. ``{obj}`` is the detail of the
recalled moment (whose mother, which job …), ``{vt}`` the video time, ``{s}`` the session number,
``{next}`` the next session, ``{lang}`` the client's first language, ``{q}`` a remembered utterance.

A *topic* is a kind of moment the participants stop the recording at. For each topic there are
descriptions of the moment from the client's (``c_desc``), therapist's (``t_desc``) and interpreter's
(``i_desc``) point of view — clauses that follow "this is where …" — and what each of them says about it:
the client found it helpful (``c_pos``) or hard (``c_neg``); the therapist thought it went well
(``t_good``) or doubts it (``t_bad``). Client and therapist *agree* when both accounts point the same way.
"""

from __future__ import annotations

# (name, gender) — gender chooses the pronouns used for the person.
THERAPISTS = [
    ("Zoë", "f"),
    ("Helen", "f"),
    ("Martin", "m"),
    ("Ruth", "f"),
    ("André", "m"),
    ("Priya", "f"),
    ("Tom", "m"),
    ("Sinéad", "f"),
    ("Paul", "m"),
    ("Maya", "f"),
    ("Kofi", "m"),
    ("Renée", "f"),
    ("Claire", "f"),
    ("Simon", "m"),
]
CLIENTS = {
    "f": [
        "Laura",
        "Agnieszka",
        "Emma",
        "Fatima",
        "Hannah",
        "Chloe",
        "Grace",
        "Nadia",
        "Sarah",
        "Jess",
        "Amira",
        "Olivia",
    ],
    "m": ["Mehmet", "James", "Ben", "Tomasz", "Callum", "Yusuf", "Liam", "Daniel", "Sam", "Jonah", "Ravi", "Luke"],
}
TRIAD_CLIENTS = {"f": ["Marisol", "Lucía"], "m": ["Julián", "Andrés"]}
INTERPRETER = ("José", "m")
TRIAD_LANGUAGE = "Spanish"

TOPICS: dict[str, dict[str, list]] = {
    "family": {
        "obj": ["mother", "father", "sister", "brother", "grandmother", "stepfather", "aunt"],
        "c_desc": [
            "I went quiet after {ts} asked about my {obj}",
            "{T} brought up my {obj} and I just shut down",
            "I couldn't answer the question about my {obj}",
        ],
        "t_desc": [
            "{cs} went quiet after I mentioned {cp} {obj}",
            "I asked about {cp} {obj} and {cs} stopped talking",
            "{cs} went very still when {cp} {obj} came up",
        ],
        "i_desc": [
            "{C} went silent when {T} asked about {cp} {obj}",
            "the question about the {obj} came and {C} looked at the floor",
        ],
        "memo": "the silence when {cp} {obj} comes up",
        "c_pos": [
            "It was hard, but I think I needed somebody to ask. Nobody ever asks about my {obj}.",
            "{Ts} didn't push, {ts} just let it sit there, and that was actually okay.",
            "I was surprised I could stay with it. Normally I'd change the subject straight away.",
        ],
        "c_neg": [
            "I just froze. I didn't want to go there, not yet, and I felt a bit cornered.",
            "My {obj} is a whole story, and I felt {ts} went in too quickly.",
            "I was thinking, why is {ts} asking me this now? We were talking about something else.",
        ],
        "t_good": [
            "I had a sense that something important was there, and that {cs} was letting me see it.",
            "I remember thinking, this is the first time {cs} hasn't deflected.",
            "The quiet felt full rather than empty, if that makes sense.",
        ],
        "t_bad": [
            "I wondered straight away whether I'd gone in too fast.",
            "I could see {co} close down and I felt I had lost {co} for a moment.",
            "Part of me wanted to take the question back.",
        ],
        "i": [
            "I found it hard to translate the silence. There is nothing to translate, but everyone looks at you.",
            "I kept my voice very soft when I translated the question about the {obj}, without deciding to.",
        ],
    },
    "advice": {
        "obj": ["job", "landlord", "manager", "son's school", "divorce", "debts", "housing application"],
        "c_desc": [
            "I asked {T} straight out what I should do about my {obj}",
            "I basically begged {to} for advice about my {obj}",
            "I wanted {to} to just tell me what to do about my {obj}",
        ],
        "t_desc": [
            "{cs} asked me directly what {cs} should do about {cp} {obj}",
            "{cs} wanted an answer from me about {cp} {obj}",
            "I felt this strong pull to give advice about {cp} {obj}",
        ],
        "i_desc": ["{C} asked {T} what to do about the {obj}", "{C} wanted a direct answer about the {obj}"],
        "memo": "the request for advice about {cp} {obj}",
        "c_pos": [
            "{Ts} didn't give me an answer, but {ts} helped me see I already had one.",
            "At first I was annoyed that {ts} turned it back to me, but watching it now, it was right.",
            "We made a sort of list together, and that helped more than advice would have.",
        ],
        "c_neg": [
            "I really wanted advice. I'd have liked {to} to just say, do this, do that.",
            "When {ts} asked what I thought, I felt like, if I knew, I wouldn't be asking you.",
            "It felt a bit like a technique, turning the question back. I could see {ts} was doing it.",
        ],
        "t_good": [
            "I felt the pull to give advice, I noticed it, and I think I managed to stay curious instead.",
            "My intention was to help {co} find {cp} own answer, and I think {cs} got somewhere.",
            "I remember feeling relieved that I hadn't jumped in with a solution.",
        ],
        "t_bad": [
            "Honestly, I felt pulled to give advice, and I'm not sure I resisted it very well.",
            "I wonder if {cs} felt I was withholding. I was being careful, but it may have looked cold.",
            "I gave {co} a suggestion in the end, and I'm still not sure that was right.",
        ],
        "i": [
            "{C} asked me afterwards, outside, what I would do. I had to say that's not my role.",
            "When {cs} asked for advice {cs} looked at me, not at {T}. That happens a lot.",
        ],
    },
    "silence": {
        "obj": ["work", "the accident", "the night shifts", "the move", "the court date", "the hospital"],
        "c_desc": [
            "there was a long silence after I talked about {obj}",
            "I'd said all that about {obj} and {T} just didn't say anything",
            "nobody said anything for ages after the bit about {obj}",
        ],
        "t_desc": [
            "there was a long pause after {cs} talked about {obj}, and I decided to wait",
            "I chose to stay with the silence after {cs} described {obj}",
            "{cs} stopped after talking about {obj} and I didn't fill the gap",
        ],
        "i_desc": ["nobody spoke for a long time after {C} talked about {obj}"],
        "memo": "the long silence after talking about {obj}",
        "c_pos": [
            "The silence was nice, actually. It gave me a bit of time to think.",
            "I didn't feel rushed. {Ts} let me take my time, and I didn't feel judged for it.",
            "Watching it now, I can see {ts} was waiting for me, and I sort of appreciate that.",
        ],
        "c_neg": [
            "I found the silence really uncomfortable. I didn't know what {ts} wanted from me.",
            "I felt a bit left alone there. I'd said something big and then — nothing.",
            "In the silence I started thinking {ts} was bored, or judging me.",
        ],
        "t_good": [
            "I decided to stay with the silence. It felt like {cs} was thinking, not stuck.",
            "I remember deliberately slowing my breathing and just waiting.",
            "It felt like a working silence to me, like something was settling.",
        ],
        "t_bad": [
            "I held the silence, but looking at it now, maybe I held it too long.",
            "I was trying to give {co} space, but {cs} looks quite lost there.",
            "At the time I thought I was being patient, but I'm not sure it felt that way for {co}.",
        ],
        "i": [
            "In a silence I never know where to look. If I look at {C}, it seems like I want to speak.",
            "I think the silences are longer with an interpreter, because everyone waits for me.",
        ],
    },
    "tears": {
        "obj": [
            "the funeral",
            "the phone call",
            "the last Christmas",
            "the day in court",
            "the hospital",
            "the letter",
        ],
        "c_desc": [
            "I started crying about {obj} and tried to hide it",
            "I got upset talking about {obj}",
            "I felt the tears coming when we got to {obj}",
        ],
        "t_desc": [
            "{cs} teared up talking about {obj}",
            "{cs} got upset about {obj} and turned away",
            "{cs} was trying not to cry about {obj}",
        ],
        "i_desc": ["{C} started crying about {obj}"],
        "memo": "the tears about {obj}",
        "c_pos": [
            "I was embarrassed, but {ts} handed me the tissues without making a big deal of it.",
            "I think that was the first time I've cried in front of anyone about it. And it was okay.",
            "Afterwards I felt lighter. Tired, but lighter.",
        ],
        "c_neg": [
            "I hate crying in front of people. I just wanted the floor to open up.",
            "I felt so exposed there. I wish {ts} had looked away for a second.",
            "I was ashamed, really. I kept saying sorry.",
        ],
        "t_good": [
            "I felt moved, and I think {cs} could see that, and that it was okay to cry.",
            "I tried to stay steady and warm and not rush to comfort {co}.",
            "This felt like a turning point to me. Something was allowed to happen.",
        ],
        "t_bad": [
            "I could see {cs} was embarrassed, and I wasn't sure whether to name it or leave it.",
            "I think I reached for the tissues too quickly. It might have felt like, stop crying.",
            "I worried {cs} would feel exposed afterwards.",
        ],
        "i": [
            "When {cs} cried I had to keep my own voice steady. That's not always easy.",
            "I translated the words, but the crying needs no translation, and I felt a bit useless.",
        ],
    },
    "misunderstanding": {
        "obj": ["the money", "the flat", "the timeline", "the argument at Christmas", "the phone calls", "the holiday"],
        "c_desc": [
            "{T} got the thing about {obj} completely wrong",
            "{ts} misunderstood what I said about {obj}",
            "I had to correct {to} about {obj}",
        ],
        "t_desc": [
            "I misread what {cs} said about {obj}",
            "I got {obj} wrong and {cs} corrected me",
            "I made an assumption about {obj} that wasn't right",
        ],
        "i_desc": ["there was a misunderstanding about {obj}"],
        "memo": "the misunderstanding about {obj} and its repair",
        "c_pos": [
            "It was awkward, but {ts} said sorry and asked me to explain again, and I trusted {to} more.",
            "I liked that {ts} admitted it. Some people just carry on.",
            "After that I felt {ts} was really listening properly.",
        ],
        "c_neg": [
            "I felt like {ts} hadn't been listening at all. I'd explained it twice.",
            "I didn't correct {to} straight away. I just thought, okay, {ts} doesn't get it.",
            "It made me wonder what else {ts} had got wrong.",
        ],
        "t_good": [
            "I got it wrong, and I think owning it openly helped. It became a small repair.",
            "I was glad {cs} felt able to correct me. That's new.",
            "It stung a little, but it was a good moment for us, I think.",
        ],
        "t_bad": [
            "I hadn't realised how badly that had landed until I watched this.",
            "I moved on too quickly after {cs} corrected me. I should have stayed with it.",
            "I think it was a small rupture, and I'm not sure we ever repaired it properly.",
        ],
        "i": [
            "I think the misunderstanding started with my translation, to be honest. The word has two meanings.",
            "I wanted to say, that was my mistake, but I wasn't sure it was my place.",
        ],
    },
    "laughter": {
        "obj": [
            "the bus story",
            "the cat",
            "the wedding speech",
            "the flat-pack wardrobe",
            "the driving test",
            "the neighbour's dog",
        ],
        "c_desc": [
            "we both laughed about {obj}",
            "I told {T} about {obj} and we cracked up",
            "we had a laugh about {obj}",
        ],
        "t_desc": [
            "we laughed together about {obj}",
            "{cs} told me about {obj} and we both laughed",
            "there was this moment of shared laughter about {obj}",
        ],
        "i_desc": ["everyone laughed about {obj}, even before I translated it"],
        "memo": "the shared laughter about {obj}",
        "c_pos": [
            "It was nice to laugh. It made {to} feel more like a person and less like a doctor.",
            "After that I relaxed a lot. I think you can see it in how I'm sitting.",
            "I didn't expect to laugh in therapy. (laughs) But it helped.",
        ],
        "c_neg": [
            "I laughed, but I think I was laughing to cover something up, really.",
            "I make jokes when I'm nervous. I don't know if {ts} saw that.",
            "Looking at it now, it was a bit of an escape. We never went back to the hard part.",
        ],
        "t_good": [
            "I felt real warmth there. It felt like a bit of trust had been built.",
            "I think humour is part of how {cs} connects, and it was good to meet {co} there.",
            "It felt like we were on the same side for a moment.",
        ],
        "t_bad": [
            "I laughed along, and then I wondered whether I'd colluded with {cp} avoidance.",
            "I noticed the laughter came right after something painful, and I let it go.",
            "It was a nice moment, but maybe it took us away from the work.",
        ],
        "i": [
            "The joke worked in both languages, which is rare. (laughs)",
            "I was not sure if I should laugh. I am supposed to be invisible, but I'm also a person.",
        ],
    },
    "exercise": {
        "obj": [
            "a mood diary",
            "a breathing exercise",
            "writing a letter",
            "a sleep routine",
            "a list of small goals",
            "short walks",
        ],
        "c_desc": ["{T} suggested {obj}", "we talked about trying {obj}", "{ts} brought up the idea of {obj}"],
        "t_desc": ["I suggested {obj}", "I introduced the idea of {obj}", "we agreed on {obj}"],
        "i_desc": ["{T} suggested {obj}"],
        "memo": "the suggestion of {obj}",
        "c_pos": [
            "I actually tried it, and it helped a bit. Not a miracle, but a bit.",
            "It gave me something to hold on to between sessions.",
            "I liked that it was concrete. I like having something to do.",
        ],
        "c_neg": [
            "I nodded, but inside I was thinking, I've tried that already.",
            "It felt a bit like homework, and I'm not good with homework.",
            "If that's the answer, I don't think {ts} had really understood how bad things were.",
        ],
        "t_good": [
            "I wanted to give {co} something concrete, and {cs} seemed to take it up.",
            "{Cs} looked relieved to have something practical.",
            "I was careful to make it an offer, not an instruction.",
        ],
        "t_bad": [
            "To be honest, I may have reached for a technique because I felt helpless.",
            "I'm not sure {cs} really agreed. {Cs} nodded, but I'm not sure.",
            "Watching it back, it came a bit out of nowhere.",
        ],
        "i": ['There is no good word for "{obj}" in {lang}, so I explained it, and it took longer than it should.'],
    },
    "anger": {
        "obj": [
            "the waiting list",
            "the GP",
            "having to repeat everything",
            "the forms",
            "the benefits office",
            "the cancelled appointment",
        ],
        "c_desc": ["I got annoyed about {obj}", "I had a bit of a rant about {obj}", "I got quite angry about {obj}"],
        "t_desc": ["{cs} got angry about {obj}", "{cs} was furious about {obj}", "the anger about {obj} came out"],
        "i_desc": ["{C} got angry about {obj}"],
        "memo": "the anger about {obj}",
        "c_pos": [
            "{Ts} let me be angry. {Ts} didn't try to calm me down, and that felt respectful.",
            "It felt good to say it out loud to someone who wasn't going to argue.",
            "I was worried {ts}'d think I was aggressive, but {ts} just took it seriously.",
        ],
        "c_neg": [
            "I felt {ts} was a bit on the side of the system, defending them.",
            "I think my anger scared {to} a bit. {Ts} went very formal.",
            "I was angry, and then I felt ashamed for being angry.",
        ],
        "t_good": [
            "I welcomed the anger, actually. Up to then {cs} had been very polite.",
            "It felt like some energy came into the room.",
            "I tried to validate it without joining in.",
        ],
        "t_bad": [
            "I think I got a bit defensive on behalf of the service, and {cs} noticed.",
            "I felt myself tense up, and I wonder if that showed.",
            "Part of me was reacting as a member of staff, not as {cp} therapist.",
        ],
        "i": [
            "When {cs} is angry I have to decide how much of the tone to bring into English. I softened it, I think."
        ],
    },
    "clock": {
        "obj": ["the clock", "the time", "the ending"],
        "c_desc": [
            "{T} looked at the clock",
            "I saw {to} glance at the clock",
            "{ts} started wrapping up and I wasn't ready",
        ],
        "t_desc": [
            "I glanced at the clock and {cs} noticed",
            "I started to wrap up",
            "I checked the time while {cs} was still talking",
        ],
        "i_desc": ["{T} looked at the clock while {C} was still talking"],
        "memo": "the glance at the clock near the end",
        "c_pos": [
            "It was fine, sessions have to end. {Ts} gave me a bit of warning, which helped.",
            "I liked how {ts} summed it up before we finished.",
            "{Ts} did it gently. I didn't feel pushed out.",
        ],
        "c_neg": [
            "That really stung. I'd just started saying something important.",
            "I felt like a customer at the end of a shift, honestly.",
            "After that I didn't really say anything else. I just wanted to leave.",
        ],
        "t_good": [
            "I was trying to give {co} time to land before the end.",
            "I wanted to leave enough time to close things safely.",
            "I think the ending was okay, we managed to summarise.",
        ],
        "t_bad": [
            "I didn't realise {cs} had seen me look at the clock. That's awful to watch.",
            "I was aware of the next client, to be honest, and I think it leaked.",
            "I cut {co} off, didn't I? Watching it now, I did.",
        ],
        "i": ["Endings are hard with interpreting. The last sentence is often mine, not the therapist's."],
    },
    "shame": {
        "obj": [
            ("losing my job", "losing {cp} job"),
            ("the drinking", "the drinking"),
            ("the debts", "the debts"),
            ("not leaving the house for weeks", "not leaving the house for weeks"),
            ("what happened at the party", "what happened at the party"),
            ("the police coming round", "the police coming round"),
        ],
        "c_desc": ["I told {T} about {obj}", "I finally said it, about {obj}", "I admitted {obj}"],
        "t_desc": ["{cs} told me about {obj}", "{cs} finally talked about {obj}", "{cs} disclosed {obj}"],
        "i_desc": ["{C} told {T} about {obj}"],
        "memo": "the disclosure about {obj}",
        "c_pos": [
            "I'd been dreading saying it. And {ts} didn't flinch. That was huge for me.",
            "I thought {ts} would think less of me. But {ts} didn't, I could tell.",
            "It was such a relief, getting it out. I walked home differently that day.",
        ],
        "c_neg": [
            "I was so ashamed. I couldn't look at {to}, you can see me looking at the floor.",
            "Even now, watching it, I feel hot in the face.",
            "I wasn't sure what {ts} thought of me after that. {Ts} didn't really say.",
        ],
        "t_good": [
            "I knew this was a big step, and I wanted {co} to feel it was safe.",
            "I consciously kept my face open. I didn't want {co} to read judgement in it.",
            "That was a moment of trust, I think. I felt privileged, actually.",
        ],
        "t_bad": [
            "I could see the shame, and I wasn't sure I responded warmly enough.",
            "I think I went quiet and neutral, and {cs} might have read that as disapproval.",
            "I was so focused on not overreacting that I may have underreacted.",
        ],
        "i": ['I had to say those words in the first person, "I", and that is strange. You carry it for a moment.'],
    },
    "body": {
        "obj": [
            ("the tightness in my chest", "the tightness in {cp} chest"),
            ("not sleeping", "not sleeping"),
            ("the headaches", "the headaches"),
            ("the panic on the train", "the panic on the train"),
            ("my hands shaking", "{cp} hands shaking"),
        ],
        "c_desc": ["I tried to describe {obj}", "I talked about {obj}", "{T} asked me about {obj}"],
        "t_desc": ["{cs} described {obj}", "we talked about {obj}", "I asked {co} about {obj}"],
        "i_desc": ["{C} described {obj}"],
        "memo": "the description of {obj}",
        "c_pos": [
            "Nobody had ever asked about that in detail. {Ts} was really interested.",
            "It helped to have words for it. It's less scary when it has words.",
            "{Ts} explained what happens in the body, and I thought, okay, I'm not going mad.",
        ],
        "c_neg": [
            "I felt a bit like a case in a textbook there.",
            "I don't think I explained it well. It's hard to describe if you haven't had it.",
            "I wanted {to} to understand how bad it is, and I'm not sure {ts} did.",
        ],
        "t_good": [
            "I wanted to slow things down and really understand {cp} experience.",
            "I felt we were getting to something concrete we could work with.",
            "{Cs} seemed relieved to be taken seriously.",
        ],
        "t_bad": [
            "I might have gone into assessment mode there. It got a bit clinical.",
            "I was asking a lot of questions, and {cs} started giving shorter answers.",
            "I'm not sure I conveyed that I understood how frightening it is.",
        ],
        "i": [
            "{C} used a word from home for the feeling, and I had to choose an English word. I chose "
            '"pressure", but it is more than that.'
        ],
    },
    "stopping": {
        "obj": ["therapy", "the sessions", "coming here"],
        "c_desc": [
            "I said I'd thought about stopping {obj}",
            "I told {to} I nearly didn't come",
            "I said maybe this isn't for me",
        ],
        "t_desc": [
            "{cs} said {cs}'d thought about stopping {obj}",
            "{cs} told me {cs} almost didn't come",
            "{cs} questioned whether therapy was for {co}",
        ],
        "i_desc": ["{C} said {cs} almost didn't come"],
        "memo": "the admission of nearly stopping",
        "c_pos": [
            "{Ts} didn't get upset. {Ts} asked what wasn't working, and I felt taken seriously.",
            "After that we changed a few things, and it got better.",
            "I was testing {to} a bit, I think. And {ts} passed. (laughs)",
        ],
        "c_neg": [
            "I think {ts} was a bit hurt, and then I felt I had to look after {tp} feelings.",
            "{Ts} said we could talk about it next time, and then we never really did.",
            "I meant it, and I don't think {ts} realised how close I was.",
        ],
        "t_good": [
            "I was glad {cs} could say it. It meant {cs} trusted me enough to be critical.",
            "I tried not to be defensive and to get curious about it.",
            "This was a rupture we could work with, I think, and we did.",
        ],
        "t_bad": [
            "My heart sank, honestly. I felt I was failing {co}.",
            "I think I became a bit too eager to please after that.",
            "I didn't take it seriously enough at the time. Watching it, it's clear {cs} meant it.",
        ],
        "i": ["I was worried {cs} would blame the interpreting, that it's too slow with three people."],
    },
    "understood": {
        "obj": [
            ("being on my own", "being on {cp} own"),
            ("always coping", "always coping"),
            ("the pattern with my family", "the pattern with {cp} family"),
            ("never saying no", "never saying no"),
        ],
        "c_desc": [
            "{T} summed up what I'd been saying about {obj}",
            "{ts} said it back to me in {tp} own words",
            "{ts} put into words what I couldn't, about {obj}",
        ],
        "t_desc": [
            "I tried to summarise what {cs} had been saying about {obj}",
            "I reflected back the bit about {obj}",
            "I offered {co} an understanding of {obj}",
        ],
        "i_desc": ["{T} summarised everything about {obj}"],
        "memo": "the summary about {obj} and whether it fitted",
        "c_pos": [
            "That was exactly it. I felt really heard there.",
            "When {ts} said it like that, I thought, yes, someone actually gets it.",
            "I felt understood. I don't get that much, to be honest.",
        ],
        "c_neg": [
            "It was close, but not quite right, and I didn't have the energy to correct it.",
            "{Ts} made it sound neater than it is.",
            "I nodded, but I felt {ts} had put {tp} own words on it.",
        ],
        "t_good": [
            "I could see it landed. {Cp} shoulders dropped.",
            "I felt we understood each other there. It was a good moment.",
            "I took a risk with that formulation, and {cs} took it up.",
        ],
        "t_bad": [
            "I thought I'd got it, but looking at {cp} face now, I'm not so sure.",
            "I might have been more pleased with my summary than {cs} was. (laughs)",
            "{Cs} agreed very quickly, which with {co} sometimes means {cs} doesn't agree.",
        ],
        "i": ["The summary was long and I had to hold all of it in my head. I think I lost a little of the warmth."],
    },
    "interpreter": {
        "obj": ["a word", "the question", "the last sentence"],
        "c_desc": [
            "{X} had to ask me to say {obj} again",
            "I was looking at {X} instead of at {T}",
            "{X} and {T} were talking and I was waiting",
        ],
        "t_desc": [
            "{X} asked for a clarification of {obj}",
            "{cs} was talking to the interpreter rather than to me",
            "I noticed I was looking at {X} instead of {C}",
        ],
        "i_desc": [
            "I had to ask {C} to repeat {obj}",
            "{C} kept looking at me instead of at {T}",
            "I stepped out of my role for a second to explain {obj}",
        ],
        "memo": "the moment the interpreter asks for clarification",
        "c_pos": [
            "With {X} there I feel safe. {Xs} knows where I come from.",
            "It's strange with three people, but I am used to it now. {X} is very discreet.",
            "I liked that {X} asked. It means {xs} wants to get it right.",
        ],
        "c_neg": [
            "Sometimes I don't say everything, because {X} is from my community, you know.",
            "I felt a bit like a child, everybody talking about me.",
            "It's slow. By the time it's translated the feeling has gone.",
        ],
        "t_good": [
            "Working with {X} has become quite natural; we have a rhythm now.",
            "I try to speak to {C} directly, not to {X}, and here I think I managed.",
            "I actually find the pauses for interpreting give me time to think.",
        ],
        "t_bad": [
            "I noticed I was speaking to {X} instead of {C}. I hate it when I do that.",
            "I wondered whether the alliance is with me or with {X}, to be honest.",
            "There's a lot I can't read in the interpreting — the tone, the little words.",
        ],
        "i": [
            "I try to be a window, not a person in the room. But I'm a person in the room. (laughs)",
            "{T} looked at me for help there, and I had to give the look back to {C}.",
        ],
    },
}

# "this is where …" frames for a participant's own stop; {d} is the topic's description clause.
STOP_FRAMES = [
    "I stopped it here because this is where {d}.",
    "This is the moment when {d}.",
    "Right, so this is the bit where {d}.",
    "I remember this. It's where {d}.",
    "I stopped it at the point where {d}.",
    "So, this is when {d}.",
    "I had to stop it here. This is where {d}.",
    "Yeah, this bit. It's where {d}.",
]
ASIDE_FRAMES = [
    "Oh. (laughs) I didn't realise. Yeah, it's where {d}.",
    "Did I? Hm. Yes, I think it's because {d}.",
    "Yeah, that's the bit where {d}.",
]
STOP_PROMPTS = [
    "Okay, you've stopped it at {vt}. What's happening for you here?",
    "So we're at {vt}. Can you tell me what made you stop?",
    "You stopped it just there, at {vt}. What was going on for you at that point?",
    "Mhm. {vt}. What do you notice here?",
    "Okay. (...) What stood out for you in this bit?",
    "You paused it at {vt} — what was it about this moment?",
    "Let's stay here for a moment. What was going on for you?",
    "Okay, {vt}. Tell me about this bit.",
    "You stopped it again. What's this moment about for you?",
]
ASIDE_PROMPTS = [
    "I'm going to stop it here for a second, at {vt}, because I noticed you {r} while watching. What was that?",
    "Can I stop it there? You {r} just now. What was happening?",
]
REACTIONS = ["smiled", "shifted in your chair", "took a deep breath", "looked away", "frowned", "nodded"]

OPENINGS = [
    "Okay, so, as we discussed, we'll watch the recording of session {s} together, and whenever something "
    "stands out for you, just stop it. There are no right or wrong answers.",
    "Thanks for coming in. We'll watch session {s} now. Please stop the video whenever you remember "
    "something, a thought or a feeling, anything that mattered to you.",
    "So, this is the recording of session {s}. You have the remote. Stop it whenever something seems "
    "important, and we'll talk about it.",
]
OVERALL_Q = [
    "Before we start: how do you remember session {s} overall?",
    "Just before we start the video, what do you remember of that session?",
]
OVERALL = {
    "client+": [
        "I remember it as a good one, actually. I left feeling a bit lighter.",
        "It was one of the better ones, I think. I felt more settled with {T} by then.",
    ],
    "client-": [
        "Honestly, I don't remember much. I know I was in a bad way that week.",
        "It was a difficult one. I remember I nearly didn't come.",
    ],
    "therapist+": [
        "I remember feeling that things were starting to move with {C}.",
        "My memory is of quite a warm session, with some hard moments.",
    ],
    "therapist-": [
        "I remember leaving quite unsure. I wasn't sure where we were.",
        "I had a sense of effort in that session, of pushing a little.",
    ],
    "interpreter+": [
        "It was a calm session. We had found a rhythm, the three of us.",
        "I remember it well. {C} talked a lot that day.",
    ],
    "interpreter-": [
        "It was long. There were many long sentences, and I was tired.",
        "I remember it was tense in the beginning, I don't know why.",
    ],
}
ACKS = [
    "Okay. (laughs) I'll try.",
    "Yeah, sure.",
    "Okay. It's strange seeing myself on screen.",
    "Okay. Yes.",
    "Mhm. Okay, let's start.",
]
CLOSING_Q = [
    "We've come to the end of the recording. Is there anything else about this session you'd like to say?",
    "That's the end of the session. Anything we haven't talked about that feels important?",
]
CLOSING = {
    "client": [
        "No, I think that's it. It was interesting to watch. Strange, but interesting. (laughs)",
        "Just that I'm glad I'm doing this. Even the hard bits.",
        "Only that I didn't realise how much happens in one hour.",
    ],
    "therapist": [
        "I think it's been useful to see it from the outside. Humbling, too.",
        "Only that I'd like to take some of this to supervision.",
        "Just that I notice much more watching it than I did in the room.",
    ],
    "interpreter": [
        "Only that interpreters are usually forgotten in research. So thank you.",
        "No. It was good to see it again, from outside.",
    ],
}
THANKS = ["Thank you. That's really helpful.", "Thank you so much for your time.", "Great, thank you."]

# Follow-up probes: kind -> questions; answers per role and valence ("+" / "-").
PROBES = {
    "client": {
        "want": [
            "What did you want from {T} at that moment?",
            "What were you hoping {ts} would do?",
            "If you could have asked for something there, what would it have been?",
        ],
        "body": [
            "Do you remember what you were feeling in your body?",
            "What was happening in your body as you said that?",
            "Where did you feel that, physically?",
        ],
        "notice": [
            "Do you think {ts} noticed what was going on for you?",
            "Did {T} pick up on that, do you think?",
            "How much of that do you think {ts} could see?",
        ],
        "helped": ["What would have helped at that point?", "Was there anything {ts} could have done differently?"],
        "now": [
            "And watching it now, what do you see?",
            "How is it, seeing that again now?",
            "What do you make of it now, looking back?",
        ],
        "say": ["Were you able to say any of that to {to} in the session?", "Did you tell {T} how that was for you?"],
    },
    "therapist": {
        "intent": [
            "What were you intending there?",
            "What were you trying to do at that point?",
            "Can you say what was guiding you in that moment?",
        ],
        "notice": [
            "What did you notice in {C} at that point?",
            "What were you picking up from {co}?",
            "What did you see in {co} there?",
        ],
        "inner": [
            "What was going on for you internally?",
            "What were you feeling at that moment?",
            "And for you, what was happening inside?",
        ],
        "decide": ["How did you decide what to do next?", "What made you go with that rather than something else?"],
        "client_exp": [
            "How do you think {cs} experienced that?",
            "What do you imagine it was like for {co}?",
            "How do you think it landed for {C}?",
        ],
        "hindsight": ["Looking at it now, would you do anything differently?", "Watching it back, what strikes you?"],
    },
    "interpreter": {
        "client": ["How do you think {C} experienced that moment?", "What did you notice in {C} there?"],
        "translate": ["How did you decide how to translate that?", "Was that easy to put into English?"],
        "position": [
            "Where were you, as the interpreter, in that moment?",
            "How did it feel to be in the middle there?",
        ],
        "relationship": ["How was it working with {T} in that part?", "Did you and {T} talk about this afterwards?"],
        "inner": ["What was it like for you personally?", "What were you feeling yourself?"],
    },
}
ANSWERS = {
    ("interpreter", "client", "+"): [
        "{Cs} seemed relieved. {Cs} told me later, in the corridor.",
        "Calmer, I think. {Cp} voice changed.",
    ],
    ("interpreter", "client", "-"): [
        "{Cs} was embarrassed, I think, that I heard it too.",
        "{Cs} went formal. In {lang} you can hear it, the polite form.",
    ],
    ("client", "want", "+"): [
        "I wanted {to} to be patient with me, and {ts} was.",
        "Honestly, I just wanted to be allowed to feel it for a minute.",
        "I think I just wanted {to} to stay with me, and {ts} did.",
        "I wanted to be taken seriously. And I was, I think.",
        "Just to be listened to. Not fixed, just listened to.",
    ],
    ("client", "want", "-"): [
        "I wanted {to} to say something about it, anything really.",
        "I think I wanted {to} to fight for me a bit. Does that make sense?",
        "I wanted {to} to tell me what to do, honestly.",
        "I wanted {to} to notice I was struggling.",
        "Just some sign that {ts} understood. A nod would have been enough.",
    ],
    ("client", "body", "+"): [
        "Lighter. Like something had been put down.",
        "I remember my hands were still, for once.",
        "Actually I felt calm. Heavy, but calm.",
        "Warm, sort of. My shoulders came down.",
        "I remember I could breathe properly again.",
    ],
    ("client", "body", "-"): [
        "I was holding my breath, I think. You can see it.",
        "My leg was going, the way it does when I'm nervous.",
        "I felt sick, honestly.",
        "My stomach was in a knot.",
        "My hands were sweaty, I remember that.",
        "I felt hot, sort of flushed.",
        "My throat went tight. That always happens.",
    ],
    ("client", "notice", "+"): [
        "{Ts} did, {ts} leaned forward a little. I saw it just now.",
        "I think {ts} sees more than I say.",
        "Yes, I think so. {Ts} slowed down.",
        "{Ts} noticed. {Ts} always notices, that's the annoying thing. (laughs)",
        "I think so, because {ts} asked me how I was doing right after.",
    ],
    ("client", "notice", "-"): [
        "{Ts} was looking at {tp} notes, so probably not.",
        "If {ts} did, {ts} didn't show it.",
        "No. I'm quite good at hiding it.",
        "I don't think so. {Ts} just carried on.",
        "Maybe. {Ts} didn't say anything, so I don't know.",
    ],
    ("client", "helped", "+"): [
        "It helped that {ts} didn't rush me.",
        "Nothing, really. {Ts} got it right there.",
        "Honestly, nothing. It was fine as it was.",
        "I don't think I'd change anything.",
        "Maybe a bit more time, but that's not {tp} fault.",
    ],
    ("client", "helped", "-"): [
        "Maybe a bit of warmth. {Ts} was very professional.",
        "Just saying it back to me, so I knew {ts} had heard it.",
        "Honestly, some advice would have helped.",
        "Maybe if {ts} had just asked, are you okay?",
        "Slowing down. Everything was a bit fast.",
        "If {ts} had said something, anything, in that silence.",
    ],
    ("client", "now", "+"): [
        "I see someone who is trying. That's nice to see, actually.",
        "I look like I'm listening. I was.",
        "I look more relaxed than I felt. (laughs)",
        "I can see it was a good session, actually. I didn't think so at the time.",
        "It's nice to see. I was braver than I thought.",
    ],
    ("client", "now", "-"): [
        "I look fine on the outside. (...) I wasn't fine.",
        "I can see my face change. I didn't know it showed.",
        "It's hard to watch. I look so small there.",
        "I can see I was shutting down. I didn't know that then.",
        "I wish I'd said something. I can see the moment I decided not to.",
    ],
    ("client", "say", "+"): [
        "Yes, I told {to} the week after that it had helped.",
        "I said a bit of it. Not all.",
        "Yes, later on, I think in session {next}.",
        "A little bit. {Ts} made it easy.",
        "I did, yes, at the end. {Ts} asked.",
    ],
    ("client", "say", "-"): [
        "No, I kept it to myself, like always.",
        "I said it was fine. It wasn't.",
        "No. I didn't feel I could.",
        "I wanted to, but the moment passed.",
        "Not really. I'm not sure {ts}'d want to hear it.",
    ],
    ("therapist", "intent", "+"): [
        "I wanted {co} to feel that {cs} could take {cp} time.",
        "I was trying to follow {cp} lead, not impose mine.",
        "I was trying to slow things down and make room.",
        "My intention was to stay alongside {co} rather than lead.",
        "I wanted to check I had understood before going any further.",
    ],
    ("therapist", "intent", "-"): [
        "Honestly, I think I was trying to get us somewhere, and that's not always helpful.",
        "I wanted to make it better, which is a warning sign for me.",
        "I think I was trying to protect the relationship, to be honest.",
        "I was testing whether {cs} could tolerate going a bit deeper.",
        "I'm not sure I had a clear intention. I was a bit lost.",
    ],
    ("therapist", "notice", "+"): [
        "There was a softening in {cp} face.",
        "{Cs} was leaning in. That's new for {co}.",
        "{Cs} seemed more settled, more present.",
        "I noticed {cp} breathing slow down.",
        "{Cs} was making more eye contact than usual.",
    ],
    ("therapist", "notice", "-"): [
        "{Cs} looked at the door, briefly. I remember registering that.",
        "{Cs} started apologising, which {cs} does when {cs}'s anxious.",
        "I noticed {co} withdraw, the way {cs} pulled back in the chair.",
        "{Cs} went very polite, which I've learned is a sign of withdrawal.",
        "{Cp} answers got shorter and shorter.",
    ],
    ("therapist", "inner", "+"): [
        "A sort of quiet confidence, which I don't always have with {co}.",
        "Relief, mainly, that we had got through something.",
        "I felt quite calm, actually, and connected.",
        "I felt a kind of tenderness towards {co}.",
        "I felt hopeful, for the first time in a while with {co}.",
    ],
    ("therapist", "inner", "-"): [
        "I felt a bit stuck, and a bit useless.",
        "I was aware of my own heart rate, actually.",
        "I felt anxious, a bit deskilled.",
        "There was doubt, a lot of doubt. Am I doing the right thing here?",
        "I felt a pull to rescue {co}, and I was fighting it.",
        "Irritation, if I'm honest, and then guilt about the irritation.",
    ],
    ("therapist", "decide", "+"): [
        "I trusted the process, I suppose. And {co}.",
        "I checked in with myself: is this for {co} or for me?",
        "It wasn't really a decision. It was more of a felt sense.",
        "I weighed up asking another question, and decided to wait.",
        "I followed {co}. I think that's the honest answer.",
    ],
    ("therapist", "decide", "-"): [
        "Too quickly, I think. I didn't really decide.",
        "I grabbed the first thing that came to mind.",
        "Supervision, actually. We'd talked about this pattern the week before.",
        "I went with my training rather than with {co}, I think.",
        "I didn't decide, I reacted. That's what I see now.",
    ],
    ("therapist", "client_exp", "+"): [
        "I hope it felt like being accompanied rather than examined.",
        "I think {cs} experienced it as respect.",
        "I think {cs} felt met. I hope so.",
        "I think it was a relief for {co}.",
        "I'd guess {cs} felt taken seriously.",
    ],
    ("therapist", "client_exp", "-"): [
        "Maybe as me not getting it, again.",
        "I worry it felt like another adult not listening.",
        "I suspect {cs} felt a bit abandoned, actually.",
        "I think it may have felt like I wasn't listening.",
        "Probably as pressure. I can see that now.",
    ],
    ("therapist", "hindsight", "+"): [
        "I'd keep it. It's one of the better moments.",
        "What strikes me is how much {cs} was doing, not me.",
        "Not much. Maybe I'd slow down even more.",
        "I'm actually quite pleased with that bit. (laughs) Which is rare.",
        "It strikes me how much was happening without words.",
    ],
    ("therapist", "hindsight", "-"): [
        "I'd slow down. I'm talking far too much there.",
        "I'd ask {co} what was happening, rather than guess.",
        "I'd name what was happening between us. I didn't, and I should have.",
        "I'd check in with {co} instead of assuming.",
        "I'd stay with the silence longer — or shorter. (laughs) I honestly don't know.",
    ],
    ("interpreter", "translate", "+"): [
        "It was easy, the words were simple. The feeling was not.",
        "I used the same word {cs} used, even though it is a strong word in English.",
        "There was an idiom there. I translated the meaning, not the words.",
        "I kept it as close as I could, even though it sounded odd in English.",
    ],
    ("interpreter", "translate", "-"): [
        "I made it a little softer. I should not have.",
        "There is a word in {lang} for that feeling, and English doesn't have it.",
        "I asked {co} to repeat, because I was not sure of the meaning.",
        "I added a little explanation, which I try not to do.",
        "I hesitated. You can see me hesitate. There were two possible words.",
    ],
    ("interpreter", "position", "+"): [
        "I was a voice, only a voice. That is when it works.",
        "I sat back a little. I do that when it gets personal.",
        "In the middle, literally. (laughs) The chairs are in a triangle.",
        "I was in the background, which is where I want to be.",
    ],
    ("interpreter", "position", "-"): [
        "Between them, and not comfortable.",
        "I felt that {T} was waiting for me to explain {C}, not to translate {co}.",
        "I try to disappear, but both of them were looking at me.",
        "I felt close to {C}, maybe too close.",
    ],
    ("interpreter", "relationship", "+"): [
        "We work well together. {Ts} looks at {C} when {ts} speaks, not at me.",
        "{T} trusts me, I think. {Ts} doesn't check everything.",
        "{T} is good with interpreters. {Ts} gives me time.",
        "We had a short debrief after. {Ts} asked me what I thought the word meant.",
    ],
    ("interpreter", "relationship", "-"): [
        "I would like more briefing before sessions. I don't know what is planned.",
        "{T} asked me afterwards if {C} was telling the truth. That is not my job.",
        "No, there was no time. The next appointment was waiting.",
        "Sometimes {T} speaks too long before stopping for me.",
    ],
    ("interpreter", "inner", "+"): [
        "I was moved. I try not to show it.",
        "I felt useful, in the good sense.",
        "I felt a lot of respect for {co} there.",
        "I was glad. It is not often I see someone change like that.",
    ],
    ("interpreter", "inner", "-"): [
        "It stayed with me on the way home.",
        "I was a bit angry, actually, on {cp} behalf.",
        "It reminded me of my own family, I have to admit.",
        "I was tired. It was the third session that day.",
    ],
}

# What the interpreter says about any moment, besides the topic's own lines.
INTERPRETER_LINES = {
    "+": [
        "I translated it straight, and I could see it reached {T}.",
        "It was a clear moment. Nothing got lost, I think.",
        "Here I felt we were really three people working together.",
        "{C} looked at {T} the whole time, not at me. That's a good sign.",
    ],
    "-": [
        "I was not sure I got the tone right.",
        "{C} looked at me first, before {T}. It happens when {cs} is unsure.",
        "I had to choose between being accurate and being quick.",
        "I noticed I was holding my breath while translating.",
    ],
}

# Extra sentences that colour a turn: role and valence.
GENERIC = {
    ("client", "+"): [
        "For once I didn't have to explain myself.",
        "It felt safe enough, just about.",
        "I think {ts} really got it.",
        "I felt heard there, properly heard.",
        "That's when I started to trust {to} a bit more.",
        "There was a kind of relief in it.",
        "I didn't feel judged, and that's rare for me.",
        "It felt like we were working on it together.",
        "I think that's when I decided to keep coming.",
    ],
    ("client", "-"): [
        "I felt like I was on my own with it.",
        "I didn't want to be a difficult client.",
        "Part of me was just waiting for the end.",
        "I felt a bit stupid, to be honest.",
        "I just wanted it to be over.",
        "It's the shame, I think. It's always the shame.",
        "I didn't feel heard there.",
        "I started to close down a bit after that.",
        "I wanted {to} to just give me some advice.",
    ],
    ("therapist", "+"): [
        "It felt like a small repair of what happened earlier.",
        "I felt {cs} was letting me in a bit.",
        "There was more trust than in the sessions before.",
        "I think trust was building there.",
        "That felt like real contact.",
        "I had a sense of us working together.",
        "I remember feeling some hope in that moment.",
        "It reminded me why I like this work.",
    ],
    ("therapist", "-"): [
        "I felt pulled to give advice, and I'm not sure I resisted.",
        "There was a distance between us I couldn't bridge.",
        "I kept thinking about what to say next instead of listening.",
        "I had real doubts about what I was doing.",
        "I think I lost {co} there for a bit.",
        "I could feel {co} withdrawing, and I didn't know how to reach {co}.",
        "There's something about {co} that makes me want to fix things, and I watch that.",
        "I took that to supervision, actually.",
    ],
    ("interpreter", "+"): [
        "A good session is one where they forget I'm there.",
        "I think the three of us worked well there.",
        "I felt trusted by both of them.",
        "My job is to carry everything, also the uncomfortable things.",
        "I try to keep the same tone, the same pace, as {C}.",
    ],
    ("interpreter", "-"): [
        "I am never sure if {C} says everything, because I am there.",
        "Some things get lost. Not the words, the music.",
        "I sometimes feel like the only one who notices the small things.",
        "Sometimes I'm the only one who knows what was really said.",
        "It is a lot to hold, sometimes.",
    ],
}
QUOTE_FRAMES = {
    "client": ['I remember {ts} said, "{q}" And I thought, okay.', '{Ts} said, "{q}" I still remember that.'],
    "therapist": ['{Cs} said, "{q}" And I knew that wasn\'t quite the whole story.', 'I remember {co} saying, "{q}"'],
    "interpreter": [
        '{Cs} said it in {lang} — "{q}" — and I said it in English.',
        '{Cs} said, "{q}" In {lang} it sounds heavier than that.',
    ],
}
QUOTES = {
    "client": [
        "Take your time.",
        "What's happening for you right now?",
        "That sounds really hard.",
        "I wonder if part of you is angry.",
        "You don't have to say it all today.",
    ],
    "therapist": [
        "I'm fine.",
        "I don't know.",
        "It's not a big deal.",
        "Sorry, I'm rambling.",
        "That's just how it is.",
    ],
    "interpreter": ["I don't know.", "It's not a big deal.", "I'm tired of explaining."],
}
REFLECTIONS = {
    "+": ["So something shifted there.", "It sounds like that mattered.", "Mhm. So it felt right, in that moment."],
    "-": ["So it didn't quite fit for you.", "It sounds like that was hard.", "So there was a bit of a gap there."],
}
SHORT_REPLIES = [
    "Yeah. (...) Exactly.",
    "Yeah, that's it.",
    "Mm. Yeah.",
    "Yes. (laughs) That's a good way to put it.",
    "Kind of, yeah.",
    "Yeah. More or less.",
]
OPENERS = ["Yeah. ", "Hm. ", "(...) ", "Okay. ", "Right. ", "Mm. ", "Yes. "]
COMMA_OPENERS = ["Um, ", "So ", "Well, ", "I mean, ", "Yeah, so "]  # only before "I …"
TAILS = [" You know?", " If that makes sense.", " I don't know.", " (laughs)", " Yeah."]

# Dyad memos (familiarisation notes): {who} is "C3 and T3", {moment} a topic's memo phrase.
MEMO_OPEN = [
    "{label} ({clinic} clinic, {group}). Read {ids} separately, then side by side.",
    "{label}, {clinic} clinic, {group}: first read-through of {ids} done.",
]
MEMO_STANCE = {
    "agree+": "In session {s} both stop at {moment} (around {vt}) and both describe it as a moment of contact.",
    "agree-": "In session {s} both stop at {moment} (around {vt}) and both name it as difficult — a shared "
    "sense of rupture.",
    "client-": "In session {s} both stop at {moment} (around {vt}), but the client remembers it as hard while "
    "the therapist thought it went well.",
    "client+": "In session {s} both stop at {moment} (around {vt}); the therapist doubts an intervention the "
    "client found helpful.",
}
MEMO_CLOSE = {
    "good outcome": [
        "Session 5 reads warmer; check whether the repair is named by both.",
        "Trust seems to build across sessions — look at how advice-seeking changes.",
    ],
    "troubled": [
        "Session 5 has more client stops than therapist stops — look at who stops where.",
        "The contrast between the accounts widens by session 5; a candidate for the seminar.",
    ],
}
MEMO_TRIAD = "Interpreter {iid} stops at fewer moments but adds the language layer; read all three accounts together."
