"""The replica's built-in dataset: the seed page's ten real items and 15 years of generated ones.

Generated content has the shape and the oddities of the real listings (missing labels, credits and
summaries in the shares of the real sample, editor-typed label variants, date lines with a place,
markup characters in titles, French and Spanish versions sharing the English id) so that crawls of
the replica meet what crawls of the real site meet. A fixed seed makes it the same on every run.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import random
from collections.abc import Iterator
from importlib import resources
from typing import Any

from ilo_crawler.langs import format_date

SEED = 20211115
FIRST_YEAR, LAST_YEAR = 2010, 2024
#: The month of the seed page; generated items in it are dated from ``ALIGN_DAY`` on only.
ALIGN_YEAR, ALIGN_MONTH, ALIGN_DAY = 2021, 11, 15
#: Items a page on the newsroom listings: the seed page must start on a page boundary.
SEED_PAGE_SIZE = 10

Tri = tuple[str, str, str]  # the same text in en, fr, es
LANGS = ("en", "fr", "es")

TOPICS: tuple[Tri, ...] = (
    ("social protection", "la protection sociale", "la protección social"),
    ("child labour", "le travail des enfants", "el trabajo infantil"),
    ("forced labour", "le travail forcé", "el trabajo forzoso"),
    ("youth employment", "l’emploi des jeunes", "el empleo juvenil"),
    ("gender equality", "l’égalité entre hommes et femmes", "la igualdad de género"),
    ("labour migration", "les migrations de main-d’œuvre", "la migración laboral"),
    (
        "occupational safety and health",
        "la sécurité et la santé au travail",
        "la seguridad y salud en el trabajo",
    ),
    ("social dialogue", "le dialogue social", "el diálogo social"),
    ("green jobs", "les emplois verts", "los empleos verdes"),
    ("skills development", "le développement des compétences", "el desarrollo de competencias"),
    ("minimum wages", "les salaires minimums", "los salarios mínimos"),
    ("domestic workers", "les travailleurs domestiques", "los trabajadores domésticos"),
    ("the informal economy", "l’économie informelle", "la economía informal"),
    ("cooperatives", "les coopératives", "las cooperativas"),
    ("labour standards", "les normes du travail", "las normas del trabajo"),
    ("decent work", "le travail décent", "el trabajo decente"),
    ("maritime labour", "le travail maritime", "el trabajo marítimo"),
    ("rural employment", "l’emploi rural", "el empleo rural"),
    (
        "disability inclusion",
        "l’inclusion des personnes handicapées",
        "la inclusión de las personas con discapacidad",
    ),
    ("HIV and AIDS at work", "le VIH et le sida au travail", "el VIH y el sida en el trabajo"),
    ("a just transition", "une transition juste", "una transición justa"),
    ("enterprise development", "le développement des entreprises", "el desarrollo empresarial"),
    ("wages", "les salaires", "los salarios"),
    ("collective bargaining", "la négociation collective", "la negociación colectiva"),
    ("employment policy", "la politique de l’emploi", "la política de empleo"),
    ("labour inspection", "l’inspection du travail", "la inspección del trabajo"),
    ("indigenous peoples", "les peuples autochtones", "los pueblos indígenas"),
    ("working time", "le temps de travail", "el tiempo de trabajo"),
    ("the future of work", "l’avenir du travail", "el futuro del trabajo"),
    ("crisis response", "la réponse aux crises", "la respuesta a las crisis"),
    ("productivity", "la productivité", "la productividad"),
    ("workers’ rights", "les droits des travailleurs", "los derechos de los trabajadores"),
)

PLACES: tuple[Tri, ...] = (
    ("worldwide", "dans le monde", "en el mundo"),
    ("in Asia and the Pacific", "en Asie et dans le Pacifique", "en Asia y el Pacífico"),
    (
        "in Latin America and the Caribbean",
        "en Amérique latine et dans les Caraïbes",
        "en América Latina y el Caribe",
    ),
    ("in Africa", "en Afrique", "en África"),
    ("in the Arab States", "dans les États arabes", "en los Estados árabes"),
    ("in Europe and Central Asia", "en Europe et en Asie centrale", "en Europa y Asia Central"),
    ("in Bangladesh", "au Bangladesh", "en Bangladés"),
    ("in Brazil", "au Brésil", "en Brasil"),
    ("in Côte d’Ivoire", "en Côte d’Ivoire", "en Côte d’Ivoire"),
    ("in Egypt", "en Égypte", "en Egipto"),
    ("in Ethiopia", "en Éthiopie", "en Etiopía"),
    ("in Haiti", "en Haïti", "en Haití"),
    ("in India", "en Inde", "en la India"),
    ("in Indonesia", "en Indonésie", "en Indonesia"),
    ("in Jordan", "en Jordanie", "en Jordania"),
    ("in Lebanon", "au Liban", "en el Líbano"),
    ("in Mexico", "au Mexique", "en México"),
    ("in Myanmar", "au Myanmar", "en Myanmar"),
    ("in Peru", "au Pérou", "en el Perú"),
    ("in Senegal", "au Sénégal", "en el Senegal"),
    ("in South Africa", "en Afrique du Sud", "en Sudáfrica"),
    ("in Tunisia", "en Tunisie", "en Túnez"),
    ("in Türkiye", "en Türkiye", "en Türkiye"),
    ("in Viet Nam", "au Viet Nam", "en Viet Nam"),
    ("in Zambia", "en Zambie", "en Zambia"),
)

PARTNERS: tuple[Tri, ...] = (
    ("the European Union", "l’Union européenne", "la Unión Europea"),
    ("UNICEF", "l’UNICEF", "UNICEF"),
    ("the World Bank", "la Banque mondiale", "el Banco Mundial"),
    ("UNDP", "le PNUD", "el PNUD"),
    ("the African Union", "l’Union africaine", "la Unión Africana"),
    ("FAO", "la FAO", "la FAO"),
    ("UN Women", "ONU Femmes", "ONU Mujeres"),
    ("the Government of Japan", "le Gouvernement du Japon", "el Gobierno del Japón"),
)

#: Title templates; the weight makes those with ``&``, ``<`` or quotes occasional.
TITLES: tuple[tuple[int, Tri], ...] = (
    (
        10,
        (
            "ILO calls for stronger action on {topic} {place}",
            "L’OIT appelle à une action renforcée sur {topic} {place}",
            "La OIT pide medidas más firmes sobre {topic} {place}",
        ),
    ),
    (
        10,
        (
            "New ILO report: {topic} {place} needs urgent attention",
            "Nouveau rapport de l’OIT : {topic} {place} exige une attention urgente",
            "Nuevo informe de la OIT: {topic} {place} requiere atención urgente",
        ),
    ),
    (
        10,
        (
            "{Topic} {place}: what the latest figures show",
            "{Topic} {place} : ce que montrent les derniers chiffres",
            "{Topic} {place}: lo que muestran las últimas cifras",
        ),
    ),
    (
        10,
        (
            "ILO and {partner} sign agreement on {topic}",
            "L’OIT et {partner} signent un accord sur {topic}",
            "La OIT y {partner} firman un acuerdo sobre {topic}",
        ),
    ),
    (
        10,
        (
            "{n} million workers left behind on {topic}, says ILO",
            "{n} millions de travailleurs laissés pour compte sur {topic}, selon l’OIT",
            "{n} millones de trabajadores rezagados en {topic}, según la OIT",
        ),
    ),
    (
        10,
        (
            "Director-General: {topic} is key to a human-centred recovery",
            "Le Directeur général : {topic}, clé d’une reprise centrée sur l’humain",
            "Director General: {topic}, clave para una recuperación centrada en las personas",
        ),
    ),
    (
        10,
        (
            "Training programme on {topic} launched {place}",
            "Lancement d’un programme de formation sur {topic} {place}",
            "Se lanza un programa de formación sobre {topic} {place}",
        ),
    ),
    (
        10,
        (
            "Governments, employers and workers meet on {topic}",
            "Gouvernements, employeurs et travailleurs se réunissent sur {topic}",
            "Gobiernos, empleadores y trabajadores se reúnen sobre {topic}",
        ),
    ),
    (
        10,
        (
            "ILO welcomes progress on {topic} {place}",
            "L’OIT salue les progrès sur {topic} {place}",
            "La OIT celebra los avances en {topic} {place}",
        ),
    ),
    (
        10,
        (
            "{n} countries ratify ILO Convention on {topic}",
            "{n} pays ratifient la convention de l’OIT sur {topic}",
            "{n} países ratifican el convenio de la OIT sobre {topic}",
        ),
    ),
    (
        8,
        (
            "How {topic} is changing lives {place}",
            "Comment {topic} change des vies {place}",
            "Cómo {topic} cambia vidas {place}",
        ),
    ),
    (
        8,
        (
            "ILO project on {topic} {place} enters second phase",
            "Le projet de l’OIT sur {topic} {place} entre dans sa deuxième phase",
            "El proyecto de la OIT sobre {topic} {place} entra en su segunda fase",
        ),
    ),
    (
        1,
        (
            "Q&A: Why {topic} matters {place}",
            "Questions & réponses : pourquoi {topic} compte {place}",
            "Preguntas & respuestas: por qué {topic} importa {place}",
        ),
    ),
    (
        1,
        (
            '"Decent work for all": {partner} and ILO step up work on {topic}',
            "« Un travail décent pour tous » : {partner} et l’OIT renforcent leur action sur {topic}",
            '"Trabajo decente para todos": {partner} y la OIT intensifican su labor sobre {topic}',
        ),
    ),
    (
        1,
        (
            "Wages < inflation: ILO warns of falling real incomes {place}",
            "Salaires < inflation : l’OIT met en garde contre la baisse des revenus réels {place}",
            "Salarios < inflación: la OIT advierte de la caída de los ingresos reales {place}",
        ),
    ),
)

SUMMARIES: tuple[Tri, ...] = (
    (
        "A new ILO study on {topic} {place} calls on governments and social partners to act.",
        "Une nouvelle étude de l’OIT sur {topic} {place} appelle les gouvernements et les "
        "partenaires sociaux à agir.",
        "Un nuevo estudio de la OIT sobre {topic} {place} insta a los gobiernos y a los "
        "interlocutores sociales a actuar.",
    ),
    (
        "Representatives of governments, employers’ and workers’ organizations discussed {topic} "
        "at a meeting held {place}.",
        "Des représentants des gouvernements et des organisations d’employeurs et de travailleurs "
        "ont échangé sur {topic} lors d’une réunion tenue {place}.",
        "Representantes de gobiernos y de organizaciones de empleadores y de trabajadores debatieron "
        "sobre {topic} en una reunión celebrada {place}.",
    ),
    (
        "The project, funded by {partner}, has reached {n},000 workers and their families since it "
        "began.",
        "Le projet, financé par {partner}, a touché {n} 000 travailleurs et leurs familles depuis son "
        "lancement.",
        "El proyecto, financiado por {partner}, ha llegado a {n}.000 trabajadores y sus familias "
        "desde su inicio.",
    ),
    (
        "ILO experts explain what {topic} means for workers and enterprises {place}.",
        "Des experts de l’OIT expliquent ce que {topic} signifie pour les travailleurs et les "
        "entreprises {place}.",
        "Expertos de la OIT explican lo que {topic} significa para los trabajadores y las empresas "
        "{place}.",
    ),
)

SENTENCES: tuple[Tri, ...] = (
    (
        "According to the ILO, progress on {topic} has been uneven across regions and sectors.",
        "Selon l’OIT, les progrès sur {topic} restent inégaux selon les régions et les secteurs.",
        "Según la OIT, los avances en {topic} han sido desiguales entre regiones y sectores.",
    ),
    (
        "The report draws on data from more than {n} countries.",
        "Le rapport s’appuie sur des données provenant de plus de {n} pays.",
        "El informe se basa en datos de más de {n} países.",
    ),
    (
        "“We need coordinated action by governments, employers and workers,” said the ILO "
        "Director-General.",
        "« Nous avons besoin d’une action coordonnée des gouvernements, des employeurs et des "
        "travailleurs », a déclaré le Directeur général de l’OIT.",
        "“Necesitamos una acción coordinada de los gobiernos, los empleadores y los trabajadores”, "
        "afirmó el Director General de la OIT.",
    ),
    (
        "The ILO will continue to support its constituents with technical assistance and policy "
        "advice.",
        "L’OIT continuera d’appuyer ses mandants par une assistance technique et des conseils "
        "stratégiques.",
        "La OIT seguirá apoyando a sus mandantes con asistencia técnica y asesoramiento en materia "
        "de políticas.",
    ),
    (
        "Participants agreed on a set of recommendations to be presented to the Governing Body.",
        "Les participants se sont accordés sur une série de recommandations qui seront présentées au "
        "Conseil d’administration.",
        "Los participantes acordaron una serie de recomendaciones que se presentarán al Consejo de "
        "Administración.",
    ),
    (
        "Women and young people are among those most affected.",
        "Les femmes et les jeunes figurent parmi les plus touchés.",
        "Las mujeres y los jóvenes se encuentran entre los más afectados.",
    ),
    (
        "The initiative is part of the ILO’s Decent Work Country Programme {place}.",
        "L’initiative s’inscrit dans le programme par pays de promotion du travail décent {place}.",
        "La iniciativa forma parte del Programa de Trabajo Decente por País {place}.",
    ),
    (
        "Social dialogue was identified as a key tool for building consensus on reforms.",
        "Le dialogue social a été reconnu comme un outil essentiel pour bâtir un consensus sur les "
        "réformes.",
        "El diálogo social se señaló como una herramienta clave para lograr consenso sobre las "
        "reformas.",
    ),
    (
        "The findings will feed into the discussions of the next International Labour Conference.",
        "Les conclusions alimenteront les débats de la prochaine Conférence internationale du "
        "Travail.",
        "Las conclusiones nutrirán los debates de la próxima Conferencia Internacional del Trabajo.",
    ),
    (
        "{Partner} has supported the work since its first phase.",
        "{Partner} soutient ces travaux depuis leur première phase.",
        "{Partner} apoya esta labor desde su primera fase.",
    ),
    (
        "Some {n} per cent of the workers concerned have no written contract.",
        "Quelque {n} pour cent des travailleurs concernés n’ont pas de contrat écrit.",
        "Alrededor del {n} por ciento de los trabajadores afectados no tiene contrato escrito.",
    ),
    (
        "Employers’ and workers’ organizations took part in the design of the programme.",
        "Les organisations d’employeurs et de travailleurs ont participé à la conception du "
        "programme.",
        "Las organizaciones de empleadores y de trabajadores participaron en el diseño del "
        "programa.",
    ),
)

#: Datelines of article bodies: (en, fr, es) city names in capitals.
CITIES: tuple[Tri, ...] = (
    ("GENEVA", "GENÈVE", "GINEBRA"),
    ("GENEVA", "GENÈVE", "GINEBRA"),
    ("GENEVA", "GENÈVE", "GINEBRA"),
    ("NEW YORK", "NEW YORK", "NUEVA YORK"),
    ("BANGKOK", "BANGKOK", "BANGKOK"),
    ("LIMA", "LIMA", "LIMA"),
    ("DAKAR", "DAKAR", "DAKAR"),
    ("BEIRUT", "BEYROUTH", "BEIRUT"),
    ("BRUSSELS", "BRUXELLES", "BRUSELAS"),
    ("NEW DELHI", "NEW DELHI", "NUEVA DELHI"),
    ("PRETORIA", "PRETORIA", "PRETORIA"),
    ("ABIDJAN", "ABIDJAN", "ABIYÁN"),
)
DATELINE: Tri = ("{city} (ILO News) – ", "{city} (Info OIT) – ", "{city} (Noticias de la OIT) – ")

#: Places added to some English date lines, as the real listings sometimes do.
DATE_PLACES = (
    "Karachi, Pakistan",
    "New York",
    "Washington DC",
    "Geneva",
    "Brussels",
    "Bangkok, Thailand",
    "Lima, Peru",
    "Abuja, Nigeria",
)

#: Label translations for the French and Spanish versions; other labels stay as in English.
LABEL_TRANSLATIONS: dict[str, tuple[str, str]] = {
    "Press release": ("Communiqué de presse", "Comunicado de prensa"),
    "Press Release": ("Communiqué de presse", "Comunicado de prensa"),
    "Article": ("Article", "Artículo"),
    "Video": ("Vidéo", "Vídeo"),
    "Statement": ("Déclaration", "Declaración"),
    "Publication": ("Publication", "Publicación"),
    "News": ("Actualités", "Noticias"),
    "Event": ("Événement", "Evento"),
    "Media advisory": ("Note aux médias", "Aviso a los medios"),
    "Media Advisory": ("Note aux médias", "Aviso a los medios"),
    "ILO in action": ("L’OIT en action", "La OIT en acción"),
    "ILO in Action": ("L’OIT en action", "La OIT en acción"),
    "Feature": ("Reportage", "Reportaje"),
    "Comment and analysis": ("Commentaire et analyse", "Comentario y análisis"),
    "Interview": ("Entretien", "Entrevista"),
}

#: Labels tied to a year, so that 15 years give hundreds of distinct labels.
YEAR_LABELS: tuple[Tri, ...] = (
    (
        "World Day Against Child Labour {year}",
        "Journée mondiale contre le travail des enfants {year}",
        "Día mundial contra el trabajo infantil {year}",
    ),
    (
        "{ilc}th International Labour Conference",
        "{ilc}e Conférence internationale du Travail",
        "{ilc}.ª Conferencia Internacional del Trabajo",
    ),
    (
        "{gb}th Session of the Governing Body",
        "{gb}e session du Conseil d’administration",
        "{gb}.ª reunión del Consejo de Administración",
    ),
    ("COP{cop}", "COP{cop}", "COP{cop}"),
    ("G20 Summit {year}", "Sommet du G20 {year}", "Cumbre del G20 {year}"),
    (
        "International Women’s Day {year}",
        "Journée internationale des femmes {year}",
        "Día Internacional de la Mujer {year}",
    ),
    (
        "World Employment and Social Outlook {year}",
        "Emploi et questions sociales dans le monde {year}",
        "Perspectivas Sociales y del Empleo en el Mundo {year}",
    ),
    (
        "World Day for Safety and Health at Work {year}",
        "Journée mondiale de la sécurité et de la santé au travail {year}",
        "Día Mundial de la Seguridad y la Salud en el Trabajo {year}",
    ),
    (
        "Global Wage Report {year}",
        "Rapport mondial sur les salaires {year}",
        "Informe Mundial sobre Salarios {year}",
    ),
    (
        "World Day of Social Justice {year}",
        "Journée mondiale de la justice sociale {year}",
        "Día Mundial de la Justicia Social {year}",
    ),
    (
        "International Youth Day {year}",
        "Journée internationale de la jeunesse {year}",
        "Día Internacional de la Juventud {year}",
    ),
)

CONTENT_TYPES = ("Article", "Statement", "Video", "Feature", "Comment and analysis", "Interview")
TYPE_TRANSLATIONS = {name: LABEL_TRANSLATIONS[name] for name in CONTENT_TYPES}
#: Editor-typed casings of the same label.
LABEL_VARIANTS = {
    "Press release": "Press Release",
    "Media advisory": "Media Advisory",
    "ILO in action": "ILO in Action",
}

FIRST_NAMES = (
    "Marcel",
    "Ana",
    "Kiran",
    "Fatima",
    "Jean",
    "Thu",
    "Kwame",
    "Elena",
    "Pablo",
    "Aiko",
    "Samir",
    "Grace",
    "Luis",
    "Nadia",
    "Olusegun",
    "Marie",
    "Rafael",
    "Li",
)
SURNAMES = (
    "Crozet",
    "Marinho",
    "Perera",
    "Diallo",
    "Nguyen",
    "Mensah",
    "Rossi",
    "Álvarez",
    "Tanaka",
    "Haddad",
    "Okafor",
    "Dubois",
    "Müller",
    "Chen",
    "Santos",
    "Kowalski",
)
AGENCIES = ("AFP", "UN Photo", "World Bank", "Unsplash", "Reuters", "UNICEF", "ShutterStock")


def _seed_rows() -> list[dict[str, Any]]:
    text = resources.files("ilo_crawler.mirror").joinpath("data/seed.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _real_labels() -> tuple[list[str], list[int]]:
    """The labels of the real sample with their counts, as weights."""
    text = resources.files("ilo_crawler.mirror").joinpath("data/labels.txt").read_text("utf-8")
    labels, weights = [], []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            count, label = line.split("\t", 1)
            labels.append(label)
            weights.append(int(count))
    return labels, weights


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _topic_label(topic: Tri) -> Tri:
    """A topic as a label: its name without the article, capitalised."""
    en, fr, es = topic
    en = en.removeprefix("the ").removeprefix("a ")
    for article in ("la ", "le ", "les ", "l’", "une "):
        fr = fr.removeprefix(article)
    for article in ("el ", "la ", "los ", "las ", "una "):
        es = es.removeprefix(article)
    return _cap(en), _cap(fr), _cap(es)


def template_values(
    i: int, topic: Tri, place: Tri, partner: Tri, numbers: dict[str, int]
) -> dict[str, Any]:
    """What the templates' ``{topic}``, ``{Place}``, ... stand for in language ``LANGS[i]``."""
    return {
        "topic": topic[i],
        "Topic": _cap(topic[i]),
        "place": place[i],
        "partner": partner[i],
        "Partner": _cap(partner[i]),
        **numbers,
    }


def body_paragraphs(i: int, paragraphs: list[list[Tri]], values: dict[str, Any]) -> list[str]:
    """A body in language ``LANGS[i]``: each paragraph's sentences joined, templates filled."""
    return [" ".join(s[i] for s in sentences).format(**values) for sentences in paragraphs]


class _Generator:
    """One run of the generator: its random stream and the ids handed out so far."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.real_labels, self.real_weights = _real_labels()
        self.title_weights = [weight for weight, _ in TITLES]
        self.used_ids = {row["id"] for row in _seed_rows()}

    def month_sizes(self) -> dict[tuple[int, int], int]:
        """Items per month, the seed month sized so that the seed page starts a page."""
        sizes = {
            (year, month): self.rng.randint(50, 80)
            for year in range(FIRST_YEAR, LAST_YEAR + 1)
            for month in range(1, 13)
        }
        align = (ALIGN_YEAR, ALIGN_MONTH)
        seed_in_month = sum(
            1 for row in _seed_rows() if row["date"].startswith(f"{ALIGN_YEAR}-{ALIGN_MONTH:02d}")
        )
        later = sum(n for key, n in sizes.items() if key > align)
        generated = sizes[align] - seed_in_month
        generated += -(later + generated) % SEED_PAGE_SIZE
        if generated + seed_in_month > 80:
            generated -= SEED_PAGE_SIZE
        sizes[align] = generated
        return sizes

    def label(self, year: int, month: int, topic: Tri, press: bool) -> Tri | None:
        rng = self.rng
        if rng.random() < 0.28:
            return None
        roll = rng.random()
        if press and roll < 0.6:
            en = "Press release"
        elif roll < 0.4:
            en = rng.choices(self.real_labels, self.real_weights)[0]
        elif roll < 0.75:
            return _topic_label(topic)
        else:
            template = rng.choice(YEAR_LABELS)
            values = {
                "year": year,
                "ilc": year - 1911,
                "cop": year - 1994,
                "gb": 307 + (year - FIRST_YEAR) * 3 + (month - 1) // 4,
            }
            en, fr, es = (part.format(**values) for part in template)
            return en, fr, es
        if en in LABEL_VARIANTS and rng.random() < 0.3:
            en = LABEL_VARIANTS[en]
        fr, es = LABEL_TRANSLATIONS.get(en, (en, en))
        return en, fr, es

    def credit(self, year: int) -> str | None:
        rng = self.rng
        if rng.random() < 0.78:
            return None
        shown = year if rng.random() < 0.55 else year + rng.choice((-2, -1, 1, 2, 3))
        roll = rng.random()
        if roll < 0.45:
            return f"© ILO {shown}"
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        if roll < 0.75:
            return f"© {name} {shown}"
        if roll < 0.9:
            return f"© {name} / {rng.choice(('ILO', *AGENCIES))} {shown}"
        return f"© {rng.choice(AGENCIES)} {shown}"

    def new_id(self, base: int) -> str:
        while f"WCMS_{base}" in self.used_ids:
            base += 1
        doc_id = f"WCMS_{base}"
        self.used_ids.add(doc_id)
        return doc_id

    def article(self, doc_id: str, day: dt.date) -> list[dict[str, Any]]:
        """The English row of one article and, for some, its French and Spanish rows."""
        rng = self.rng
        roll = rng.random()
        listings = ["all-newsroom"] + (
            ["press-releases"] if roll < 0.15 else ["news"] if roll < 0.65 else []
        )
        press = roll < 0.15
        topic, place, partner = rng.choice(TOPICS), rng.choice(PLACES), rng.choice(PARTNERS)
        numbers = {"n": rng.randint(2, 90)}
        title = rng.choices(TITLES, self.title_weights)[0][1]
        summary = None if rng.random() < 0.22 else rng.choice(SUMMARIES)
        label = self.label(day.year, day.month, topic, press)
        credit = self.credit(day.year)
        content_type = None if press or rng.random() < 0.75 else rng.choice(CONTENT_TYPES)
        city = rng.choice(CITIES)
        paragraphs = [rng.sample(SENTENCES, rng.randint(1, 3)) for _ in range(rng.randint(2, 8))]
        date_roll = rng.random()
        if date_roll < 0.005:
            date_line: str | None = None  # an event: no date line on the listings
        elif date_roll < 0.02:
            date_line = f"{format_date(day, 'en')},"
        elif date_roll < 0.04:
            date_line = f"{format_date(day, 'en')}, {rng.choice(DATE_PLACES)}"
        else:
            date_line = ""  # absent: the replica formats the date
        langs = ["en"]
        translated = rng.random()
        if translated < 0.25:
            langs.append("fr")
        if 0.15 <= translated < 0.35:
            langs.append("es")

        rows = []
        for lang in langs:
            i = LANGS.index(lang)
            values = template_values(i, topic, place, partner, numbers)
            body = body_paragraphs(i, paragraphs, values)
            body[0] = DATELINE[i].format(city=city[i]) + body[0]
            row: dict[str, Any] = {
                "id": doc_id,
                "lang": lang,
                "listings": listings,
                "date": day.isoformat(),
            }
            if lang == "en" and date_line != "":
                row["date_text"] = date_line
            row.update(
                {
                    "label": label[i] if label else None,
                    "title": title[i].format(**values),
                    "summary": summary[i].format(**values) if summary else None,
                    "credit": credit,
                    "body": body,
                }
            )
            if content_type:
                row["type"] = (
                    content_type if lang == "en" else TYPE_TRANSLATIONS[content_type][i - 1]
                )
            rows.append(row)
        return rows

    def rows(self) -> list[dict[str, Any]]:
        """All rows, newest article first; the seed items go right below the generated ones
        dated on or after the seed page's first day, so that those sort above them."""
        sizes = self.month_sizes()
        articles: list[list[dict[str, Any]]] = []
        for index, (year, month) in enumerate(sorted(sizes)):
            first_day = ALIGN_DAY if (year, month) == (ALIGN_YEAR, ALIGN_MONTH) else 1
            last_day = calendar.monthrange(year, month)[1]
            days = sorted(self.rng.randint(first_day, last_day) for _ in range(sizes[year, month]))
            base = 140_000 + index * 4_830
            for day in days:
                base += self.rng.randint(1, 50)
                articles.append(self.article(self.new_id(base), dt.date(year, month, day)))
        articles.reverse()
        cut = dt.date(ALIGN_YEAR, ALIGN_MONTH, ALIGN_DAY).isoformat()
        before = [rows for rows in articles if rows[0]["date"] >= cut]
        after = articles[len(before) :]
        return (
            [row for rows in before for row in rows]
            + _seed_rows()
            + [row for rows in after for row in rows]
        )


def generate_rows() -> list[dict[str, Any]]:
    """The default dataset as decoded JSON lines (a fresh list on every call)."""
    return _Generator().rows()


def published_rows(seed: int, day: dt.date, first_id: int) -> Iterator[dict[str, Any]]:
    """Endless English rows of articles published on ``day`` while the replica serves, with ids
    from ``first_id`` up; ``seed`` makes them the same on every run (``--publish-every``)."""
    generator = _Generator()
    generator.rng = random.Random(seed)
    doc_id = first_id
    while True:
        yield generator.article(f"WCMS_{doc_id}", day)[0]
        doc_id += generator.rng.randint(1, 50)
