"""Invented people and organisations for synthetic rosters, plausible for their region.

A naming tradition gives a region's participants names in the script they would write
them in (Latin with diacritics, Arabic, Ge'ez, Chinese, Japanese, Korean, Devanagari,
Cyrillic, Georgian, Hebrew), an ASCII spelling for their email address, and the
languages they speak besides English. Every name is a common given name joined to a
common family name, so no combination stands for a real person on purpose; every
organisation is built from invented place names and is fictional.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from pollinate.core.roster import Region, StakeholderGroup


def _pairs(spec: str) -> tuple[tuple[str, str], ...]:
    """Names as written paired with their ASCII spelling ("محمد=mohamed Ana")."""
    pairs = []
    for item in spec.split():
        native, _, ascii_ = item.partition("=")
        pairs.append((native, ascii_ or ascii_spelling(native)))
    return tuple(pairs)


_ASCII_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i", "ð": "d"}
)


def ascii_spelling(name: str) -> str:
    """Lower-case ASCII for an email address: diacritics dropped ("Jürgen" → "jurgen").

    >>> ascii_spelling("Łukasz"), ascii_spelling("O'Connor"), ascii_spelling("Kerry-Ann")
    ('lukasz', 'oconnor', 'kerry-ann')
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_ASCII_LETTERS))
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "-"))


@dataclass(frozen=True, slots=True)
class NamingTradition:
    """How one group of a region writes names, the languages it speaks, and its weight."""

    weight: int  # relative share of the region's participants
    given: tuple[tuple[str, str], ...]
    family: tuple[tuple[str, str], ...]
    languages: tuple[str, ...] = ()
    family_first: bool = False
    separator: str = " "  # Chinese, Japanese and Korean names run together
    feminine_family: tuple[str, str] | None = None  # Russian: Иванов → Иванова for Анна

    def name(self, rng: random.Random) -> tuple[str, str]:
        """A full name as written, and "given.family" in ASCII for the email address."""
        given, given_ascii = rng.choice(self.given)
        family, family_ascii = rng.choice(self.family)
        # Russian feminine given names end in -а or -я, and so does the family name.
        if self.feminine_family and given.endswith(("а", "я")):
            family += self.feminine_family[0]
            family_ascii += self.feminine_family[1]
        parts = (family, given) if self.family_first else (given, family)
        return self.separator.join(parts), f"{given_ascii}.{family_ascii}"


def _tradition(
    weight: int, given: str, family: str, languages: str = "", **layout: bool
) -> NamingTradition:
    east_asian = layout.get("east_asian", False)
    return NamingTradition(
        weight,
        _pairs(given),
        _pairs(family),
        tuple(languages.split()),
        family_first=east_asian or layout.get("family_first", False),
        separator="" if east_asian else " ",
        feminine_family=("а", "a") if layout.get("russian", False) else None,
    )


# Weights within a region are a plausible mix, not measured figures. Ethiopian names
# weigh in Africa because IGF 2022, whose figures the generator follows, met there.
TRADITIONS: Mapping[Region, tuple[NamingTradition, ...]] = {
    Region.AFRICA: (
        _tradition(
            30,
            "Aïssatou Mamadou Fatoumata Moussa Awa Ousmane Adama Mariam Cheikh Khadija",
            "Diallo Traoré Coulibaly Ndiaye Sow Keïta Diop Camara Konaté Ouédraogo",
            "French",
        ),
        _tradition(
            35,
            "Amina Wanjiru Tendai Nomvula Kwame Chidi Thandiwe Kofi Abena Baraka Ngozi",
            "Mensah Okafor Dlamini Moyo Otieno Mwangi Banda Nkosi Adeyemi Boateng",
        ),
        _tradition(
            20,
            "አበበ=abebe ሰላም=selam ትዕግስት=tigist ዳዊት=dawit ዮናስ=yonas ሜሮን=meron",
            "በቀለ=bekele ተስፋዬ=tesfaye ግርማ=girma አለሙ=alemu ኃይሌ=haile",
            "Amharic",
        ),
        _tradition(
            15,
            "محمد=mohamed فاطمة=fatima يوسف=youssef مريم=meriem أحمد=ahmed سلمى=salma",
            "المنصوري=elmansouri حداد=haddad بوزيد=bouzid العلوي=elalaoui الشريف=charif",
            "Arabic French",
        ),
    ),
    Region.ASIA_PACIFIC: (
        _tradition(
            30,
            "芳=fang 伟=wei 静=jing 磊=lei 敏=min 洋=yang 婷=ting 杰=jie",
            "王=wang 李=li 张=zhang 刘=liu 陈=chen 杨=yang 赵=zhao 黄=huang",
            "Chinese",
            east_asian=True,
        ),
        _tradition(
            25,
            "प्रिया=priya राहुल=rahul अनीता=anita विक्रम=vikram सुनीता=sunita अर्जुन=arjun",
            "शर्मा=sharma वर्मा=verma गुप्ता=gupta पटेल=patel सिंह=singh जोशी=joshi",
            "Hindi",
        ),
        _tradition(
            10,
            "花子=hanako 健太=kenta 陽菜=hina 翔=sho 美咲=misaki",
            "山田=yamada 佐藤=sato 鈴木=suzuki 高橋=takahashi 田中=tanaka",
            "Japanese",
            east_asian=True,
        ),
        _tradition(
            8,
            "민준=minjun 서연=seoyeon 지훈=jihoon 수빈=subin",
            "김=kim 이=lee 박=park 최=choi",
            "Korean",
            east_asian=True,
        ),
        _tradition(
            10,
            "Lan Minh Thảo Quang Hương Đức",
            "Nguyễn Trần Lê Phạm Hoàng Vũ",
            "Vietnamese",
            family_first=True,
        ),
        _tradition(
            10,
            "خالد=khalid نورة=noura سلطان=sultan ريم=reem",
            "العتيبي=alotaibi الحربي=alharbi القحطاني=alqahtani",
            "Arabic",
        ),
        _tradition(7, "Siosaia Mele Sione Losana", "Tupou Fifita Vaipulu"),
    ),
    Region.EASTERN_EUROPE: (
        _tradition(
            35,
            "Анна=anna Дмитрий=dmitry Елена=elena Сергей=sergey Ольга=olga Иван=ivan",
            "Иванов=ivanov Смирнов=smirnov Кузнецов=kuznetsov Попов=popov",
            "Russian",
            russian=True,
        ),
        _tradition(
            20,
            "Олександр=oleksandr Оксана=oksana Андрій=andrii Ірина=iryna Тарас=taras",
            "Коваленко=kovalenko Шевченко=shevchenko Бондаренко=bondarenko Мельник=melnyk",
            "Ukrainian Russian",
        ),
        _tradition(
            35,
            "Łukasz Zsófia Ioana Bogdan Katarzyna Márta Mihai Jiří",
            "Nowak Wójcik Kovács Szabó Popescu Ionescu Mazur Tóth",
        ),
        _tradition(
            10,
            "ნინო=nino გიორგი=giorgi თამარ=tamar დავით=davit",
            "ბერიძე=beridze კაპანაძე=kapanadze გელაშვილი=gelashvili",
        ),
    ),
    Region.GRULAC: (
        _tradition(
            60,
            "José María Sofía Andrés Camila Joaquín Valentina Tomás Ximena Mateo",
            "Martínez López Rodríguez Fernández González Pérez Quispe Mamani Núñez",
            "Spanish",
        ),
        _tradition(
            25,
            "João Ana Luíza Thiago Gabriela Rafael Letícia",
            "Silva Souza Oliveira Santos Conceição Araújo",
            "Portuguese",
        ),
        _tradition(
            15,
            "Aaliyah Dwayne Shanice Marlon Kerry-Ann Wendell",
            "Joseph Baptiste Williams Charles Pierre Campbell",
        ),
    ),
    Region.WEOG: (
        _tradition(
            35,
            "Sarah Michael Emily James Olivia Daniel Grace Liam Siobhán",
            "Brown Smith O'Connor Taylor Wilson Clarke Murphy Walsh",
        ),
        _tradition(
            15,
            "Émilie Théo Chloé Noël Hélène François",
            "Dubois Lefèvre Moreau Girard Fontaine Rousseau",
            "French",
        ),
        _tradition(
            15,
            "Jürgen Søren Åsa Björn Lena Matthias Ingrid",
            "Müller Nielsen Schröder Lindqvist Håkansson Weiß",
            "German",
        ),
        _tradition(
            12,
            "Giulia Marco Lucía Javier Inês Tiago",
            "Rossi Bianchi García Sánchez Ferreira Costa",
            "Spanish",
        ),
        _tradition(
            8,
            "נועה=noa דוד=david תמר=tamar יוסף=yosef מיכל=michal",
            "לוי=levi כהן=cohen מזרחי=mizrahi פרץ=peretz",
            "Hebrew",
        ),
        _tradition(
            7,
            "Ayşe Mehmet Elif Emre Zeynep",
            "Yılmaz Kaya Demir Şahin Çelik Öztürk",
            "Turkish",
        ),
    ),
}

# Besides English and a tradition's own languages: the share of a region's participants
# who also list each UN language (French across francophone Africa and Europe, Russian
# across the former Soviet states, Spanish across the Americas).
EXTRA_LANGUAGES: Mapping[Region | None, tuple[tuple[str, float], ...]] = {
    Region.AFRICA: (("French", 0.15), ("Arabic", 0.05)),
    Region.ASIA_PACIFIC: (("Chinese", 0.05), ("Arabic", 0.03)),
    Region.EASTERN_EUROPE: (("Russian", 0.4),),
    Region.GRULAC: (("Spanish", 0.3), ("French", 0.05)),
    Region.WEOG: (("French", 0.25), ("Spanish", 0.2)),
    # Staff of intergovernmental organisations, who gave no region, work in several.
    None: (("French", 0.4), ("Spanish", 0.2), ("Arabic", 0.05), ("Russian", 0.05)),
}


def synthetic_person(rng: random.Random, region: Region | None) -> tuple[str, str, tuple[str, ...]]:
    """A name, its "given.family" ASCII spelling and the languages spoken, for a region.

    People without a region (intergovernmental staff) come from any tradition.
    """
    choices = TRADITIONS[region] if region else tuple(t for ts in TRADITIONS.values() for t in ts)
    tradition = rng.choices(choices, weights=[t.weight for t in choices])[0]
    name, handle = tradition.name(rng)
    languages = ["English", *tradition.languages]
    for language, share in EXTRA_LANGUAGES[region]:
        if rng.random() < share and language not in languages:
            languages.append(language)
    return name, handle, tuple(languages)


_PLACES = ("Nordavia", "Kestria", "Valmora", "Ostrelia", "Brightwater", "Sundara", "Mirova")
_CAUSES = (
    "Open Data",
    "Digital Rights",
    "Community Networks",
    "Inclusive Connectivity",
    "Climate-Smart Finance",
    "Ethical AI",
    "Youth Participation",
    "Data Protection",
    "Sustainable Infrastructure",
    "Green Bonds",
)
_PORTFOLIOS = ("Digital Economy", "Communications", "Finance", "Environment", "Innovation")
_BRANDS = ("Bluefin", "Kitepoint", "Solstice", "Greenlane", "Ironbark", "Quillon", "Tessera")
_TRADES = ("Telecom", "Systems", "Analytics", "Cloud", "Payments", "Energy")

_ORGANISATION_PATTERNS: Mapping[StakeholderGroup, tuple[str, ...]] = {
    StakeholderGroup.CIVIL_SOCIETY: (
        "Coalition for {cause}",
        "{place} {cause} Network",
        "Friends of {cause}",
    ),
    StakeholderGroup.GOVERNMENT: (
        "Ministry of {portfolio}, {place}",
        "{place} Communications Authority",
        "{place} Data Protection Office",
    ),
    StakeholderGroup.PRIVATE_SECTOR: ("{brand} {trade}", "{brand} {trade} {place}"),
    StakeholderGroup.INVESTORS: (
        "{brand} Capital Partners",
        "{brand} Sustainable Investments",
        "{place} Pension Fund",
    ),
    StakeholderGroup.TECHNICAL_COMMUNITY: (
        "{place} Network Operators Group",
        "{place} Internet Exchange",
        "Open {cause} Foundation",
    ),
    StakeholderGroup.INTERGOVERNMENTAL: (
        "Intergovernmental Office for {cause}",
        "{place} Regional Commission",
    ),
    StakeholderGroup.ACADEMIA: (
        "University of {place}",
        "{place} Institute of Technology",
        "Centre for {cause} Studies",
    ),
}


def synthetic_organisation(rng: random.Random, group: StakeholderGroup) -> str:
    """An invented organisation typical of a stakeholder group ("Coalition for Open Data")."""
    return rng.choice(_ORGANISATION_PATTERNS[group]).format(
        place=rng.choice(_PLACES),
        cause=rng.choice(_CAUSES),
        portfolio=rng.choice(_PORTFOLIOS),
        brand=rng.choice(_BRANDS),
        trade=rng.choice(_TRADES),
    )
