#!/usr/bin/env python3
"""Build the built-in demo network of stakenet: src/stakenet/demo/network.json.

The demo is a Danish regional setting around 2026-11-27. We are Kystlinje Rådgivning A/S, an
Aarhus consultancy; our clients, partners and suppliers are energy, water, construction,
logistics, IT and engineering companies in Aarhus, Esbjerg, Vejle, Fredericia, Kolding and
Horsens, together with the municipalities they deal with. All people and companies are invented;
the places and municipality codes are real.

The output is deterministic: one seeded `random.Random(2026)` drives every random choice, and
running the script twice writes byte-identical JSON.

    python scripts/build_demo_network.py            # writes src/stakenet/demo/network.json
    python scripts/build_demo_network.py --output /tmp/network.json

Scenarios built into the data (tests/unit/test_demo_network.py checks each one). "Person-only
graph" means the undirected graph of KNOWS, FAMILY, REPORTS_TO, ADVISES, INFLUENCES and
RELATIONSHIP_OWNER ties between two people.

1. Single-contact risk at Vestkyst Vand A/S (c-vestkyst-vand). Its adm. direktør
   p-henrik-bonde (DECISION_MAKER) is reachable from our people only through the procurement
   chief p-maria-lauridsen: she is an articulation point separating every internal person from
   him. Nobody else at Vestkyst Vand (nor its board chair p-poul-iversen) has a person-person
   tie outside the company, and no interaction puts one of our people in a room with them.
2. Strong path beats a short weak tie at Nordhavn Energi A/S (c-nordhavn). Our p-ida-norgaard
   has a weak direct KNOWS tie (0.15) to the adm. direktør p-peter-moerch, while
   p-ida-norgaard -KNOWS 0.9-> p-mikkel-ravn -REPORTS_TO 0.85-> p-peter-moerch gives a
   two-hop route worth 0.9 * 0.85 = 0.765.
3. Broker between clusters: p-niels-krogh, kommunaldirektør of Vejle Kommune until mid-2023 and
   now adviser to Fjordbyg Entreprise A/S (c-fjordbyg), is the only person-person bridge
   between the Vejle municipal cluster (m-vejle staff and the Vejle political bodies) and the
   Fjordbyg cluster. Removing him disconnects the two.
4. Cold tie: our partner p-jonas-brandt declares a strong (0.8) KNOWS tie to
   p-claus-winther, adm. direktør of Trekant Logistik A/S (c-trekant), but their last
   interaction was in September 2025, more than 12 months before 2026-11-27.

Every organisation of interest has a declared DECISION_MAKER and a junior (praktikant, junior
konsulent or trainee) with more social KNOWS ties than any of its decision makers.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import cast

SEED = 2026
TODAY = date(2026, 11, 27)
FIRST_DAY = date(2024, 12, 2)
LAST_DAY = date(2026, 11, 26)
OUTPUT = Path(__file__).resolve().parents[1] / "src" / "stakenet" / "demo" / "network.json"

# --------------------------------------------------------------------------------------------
# Data tables
# --------------------------------------------------------------------------------------------

# A staff row: (name, title, department, decision role or None, manager's name or None).
Staff = tuple[str, str, str, str | None, str | None]
# A board row: (person's name, role on the board, decision role or None).
Board = tuple[str, str, str | None]


@dataclass(frozen=True)
class Company:
    key: str
    name: str
    industry: str
    municipality: str
    domain: str
    registration: str
    tags: tuple[str, ...]
    staff: tuple[Staff, ...]
    board: tuple[Board, ...] = ()
    internal: bool = False
    zone: str = "main"


@dataclass(frozen=True)
class Municipality:
    key: str
    name: str
    city: str
    code: str
    region: str
    population: int
    staff: tuple[Staff, ...]
    zone: str = "main"


@dataclass(frozen=True)
class Organization:
    key: str
    name: str
    category: str
    municipality: str
    tags: tuple[str, ...]
    staff: tuple[Staff, ...] = ()
    website: str | None = None
    zone: str = "main"


@dataclass(frozen=True)
class Politician:
    name: str
    title: str
    municipality: str
    memberships: tuple[tuple[str, str], ...]  # (political body key, role)
    influences: str | None = None


@dataclass(frozen=True)
class Independent:
    name: str
    title: str
    city: str
    tags: tuple[str, ...]
    seniority: str | None = None
    notes: str | None = None


OUR_COMPANY = Company(
    key="c-kystlinje",
    name="Kystlinje Rådgivning A/S",
    industry="Management consulting",
    municipality="m-aarhus",
    domain="kystlinje-raadgivning.dk",
    registration="41736285",
    tags=("us",),
    internal=True,
    staff=(
        ("Mette Kjær", "adm. direktør", "Direktion", "DECISION_MAKER", None),
        ("Jonas Brandt", "Partner", "Energy & Utilities", "DECISION_MAKER", "Mette Kjær"),
        ("Sofie Lind", "Partner", "Public Sector", "DECISION_MAKER", "Mette Kjær"),
        ("Thomas Wulff", "økonomichef", "Finance", "ECONOMIC_BUYER", "Mette Kjær"),
        ("Rasmus Dahl", "Senior Relationship Manager", "Energy & Utilities", None, "Jonas Brandt"),
        ("Ida Nørgaard", "Relationship Manager", "Energy & Utilities", None, "Jonas Brandt"),
        ("Kasper Vinther", "Relationship Manager", "Public Sector", None, "Sofie Lind"),
        ("Line Bach", "seniorkonsulent", "Energy & Utilities", None, "Jonas Brandt"),
        ("Emil Skov", "konsulent", "Public Sector", None, "Sofie Lind"),
        ("Freja Holt", "praktikant", "Energy & Utilities", None, "Line Bach"),
    ),
)

COMPANIES: tuple[Company, ...] = (
    Company(
        key="c-nordhavn",
        name="Nordhavn Energi A/S",
        industry="Energy",
        municipality="m-aarhus",
        domain="nordhavn-energi.dk",
        registration="38164920",
        tags=("client", "district-heating"),
        staff=(
            ("Peter Mørch", "adm. direktør", "Direktion", "DECISION_MAKER", None),
            ("Anna Holm", "CFO", "Finance", "ECONOMIC_BUYER", "Peter Mørch"),
            ("Lars Fogh", "teknisk direktør", "Teknik", "TECHNICAL_BUYER", "Peter Mørch"),
            ("Mikkel Ravn", "Head of Strategy", "Strategy", "INFLUENCER", "Peter Mørch"),
            ("Camilla Rask", "Head of Procurement", "Procurement", "GATEKEEPER", "Anna Holm"),
            ("Bo Lund", "projektleder", "Fjernvarme", "CHAMPION", "Lars Fogh"),
            ("Signe Dam", "afdelingsleder", "Drift", "USER", "Lars Fogh"),
            ("Oliver Krag", "praktikant", "Strategy", None, "Mikkel Ravn"),
        ),
        board=(
            ("Hanne Vestergaard", "Bestyrelsesformand", "DECISION_MAKER"),
            ("Kenneth Ravnkilde", "Bestyrelsesmedlem (kommunalt udpeget)", "INFLUENCER"),
            ("Signe Dam", "Medarbejdervalgt bestyrelsesmedlem", None),
        ),
    ),
    # Scenario 1: everyone here but Maria Lauridsen lives in the "vestkyst" zone (no
    # person-person ties outside it), so she is our single contact into the company.
    Company(
        key="c-vestkyst-vand",
        name="Vestkyst Vand A/S",
        industry="Water utility",
        municipality="m-esbjerg",
        domain="vestkystvand.dk",
        registration="33518647",
        tags=("client", "water"),
        zone="vestkyst",
        staff=(
            ("Henrik Bonde", "adm. direktør", "Direktion", "DECISION_MAKER", None),
            ("Karen Thygesen", "økonomidirektør", "Økonomi", "ECONOMIC_BUYER", "Henrik Bonde"),
            ("Jesper Kirk", "teknisk direktør", "Teknik", "TECHNICAL_BUYER", "Henrik Bonde"),
            ("Maria Lauridsen", "indkøbschef", "Indkøb", "GATEKEEPER", "Karen Thygesen"),
            ("Søren Bech", "afdelingsleder", "Ledningsnet", "USER", "Jesper Kirk"),
            ("Lone Friis", "projektleder", "Ledningsnet", "CHAMPION", "Jesper Kirk"),
            ("Mads Toft", "praktikant", "Ledningsnet", None, "Søren Bech"),
        ),
        board=(
            ("Poul Iversen", "Bestyrelsesformand", "DECISION_MAKER"),
            ("Søren Bech", "Medarbejdervalgt bestyrelsesmedlem", None),
        ),
    ),
    Company(
        key="c-fjordbyg",
        name="Fjordbyg Entreprise A/S",
        industry="Construction",
        municipality="m-vejle",
        domain="fjordbyg.dk",
        registration="29457318",
        tags=("client", "construction"),
        staff=(
            ("Jens Mortensen", "adm. direktør", "Direktion", "DECISION_MAKER", None),
            ("Pia Strand", "CFO", "Finance", "ECONOMIC_BUYER", "Jens Mortensen"),
            ("Morten Agger", "tilbudschef", "Tilbud", "INFLUENCER", "Jens Mortensen"),
            ("Rikke Bjerre", "Head of Procurement", "Procurement", "GATEKEEPER", "Pia Strand"),
            ("Anders Nyborg", "projektchef", "Anlæg", "CHAMPION", "Morten Agger"),
            ("Julie Ebbesen", "projektleder", "Anlæg", "USER", "Anders Nyborg"),
            ("Nikolaj Brix", "trainee", "Anlæg", None, "Anders Nyborg"),
        ),
        board=(
            ("Erik Lykke", "Bestyrelsesformand", "DECISION_MAKER"),
            ("Gitte Holmgaard", "Bestyrelsesmedlem", "INFLUENCER"),
            ("Anders Juhl", "Bestyrelsesmedlem", None),
        ),
    ),
    Company(
        key="c-trekant",
        name="Trekant Logistik A/S",
        industry="Logistics",
        municipality="m-fredericia",
        domain="trekantlogistik.dk",
        registration="35092716",
        tags=("client", "logistics"),
        staff=(
            ("Claus Winther", "adm. direktør", "Direktion", "DECISION_MAKER", None),
            ("Helle Juul", "CFO", "Finance", "ECONOMIC_BUYER", "Claus Winther"),
            ("Kim Sørensen", "IT-chef", "IT", "TECHNICAL_BUYER", "Claus Winther"),
            ("Brian Kjeldsen", "driftsdirektør", "Drift", "BLOCKER", "Claus Winther"),
            ("Tina Mølgaard", "Head of Procurement", "Procurement", "GATEKEEPER", "Helle Juul"),
            ("Louise Hvid", "logistikchef", "Drift", "USER", "Brian Kjeldsen"),
            ("Sebastian Aagaard", "praktikant", "Drift", None, "Louise Hvid"),
        ),
        board=(
            ("Erik Lykke", "Bestyrelsesformand", "DECISION_MAKER"),
            ("Anders Juhl", "Bestyrelsesmedlem", "INFLUENCER"),
        ),
    ),
    Company(
        key="c-datavej",
        name="Datavej IT A/S",
        industry="IT services",
        municipality="m-kolding",
        domain="datavej.dk",
        registration="36610483",
        tags=("supplier", "it"),
        staff=(
            ("Rune Kvist", "CEO", "Management", "DECISION_MAKER", None),
            ("Marianne Boye", "CFO", "Finance", "ECONOMIC_BUYER", "Rune Kvist"),
            (
                "Ahmad Rahimi",
                "Chief Technology Officer",
                "Technology",
                "TECHNICAL_BUYER",
                "Rune Kvist",
            ),
            ("Stine Kofoed", "salgsdirektør", "Sales", "INFLUENCER", "Rune Kvist"),
            ("Frederik Hauge", "Key Account Manager", "Sales", "CHAMPION", "Stine Kofoed"),
            ("Emma Skytte", "trainee", "Technology", None, "Ahmad Rahimi"),
        ),
        board=(
            ("Erik Lykke", "Bestyrelsesformand", "DECISION_MAKER"),
            ("Gitte Holmgaard", "Bestyrelsesmedlem", None),
        ),
    ),
    Company(
        key="c-gudenaa",
        name="Gudenå Ingeniører A/S",
        industry="Engineering",
        municipality="m-horsens",
        domain="gudenaa-ing.dk",
        registration="27845139",
        tags=("partner", "engineering"),
        staff=(
            ("Birgitte Lange", "adm. direktør", "Direktion", "DECISION_MAKER", None),
            ("Ole Damgaard", "økonomichef", "Økonomi", "ECONOMIC_BUYER", "Birgitte Lange"),
            ("Kristian Feldt", "teknisk direktør", "Teknik", "TECHNICAL_BUYER", "Birgitte Lange"),
            ("Nanna Lassen", "afdelingsleder", "Vand & Klima", "CHAMPION", "Kristian Feldt"),
            ("Victor Bang", "projektleder", "Vand & Klima", "USER", "Nanna Lassen"),
            ("Laura Winge", "junior konsulent", "Vand & Klima", None, "Nanna Lassen"),
        ),
        board=(("Christian Møller", "Bestyrelsesformand", "DECISION_MAKER"),),
    ),
    Company(
        key="c-vesterhav",
        name="Vesterhav Offshore Service A/S",
        industry="Offshore and harbour services",
        municipality="m-esbjerg",
        domain="vesterhav-offshore.dk",
        registration="39271054",
        tags=("client", "harbour"),
        staff=(
            ("Carsten Bundgaard", "CEO", "Management", "DECISION_MAKER", None),
            ("Lene Kristoffersen", "CFO", "Finance", "ECONOMIC_BUYER", "Carsten Bundgaard"),
            (
                "Tobias Hald",
                "Chief Operating Officer",
                "Operations",
                "INFLUENCER",
                "Carsten Bundgaard",
            ),
            (
                "Dorthe Vang",
                "Head of Procurement",
                "Procurement",
                "GATEKEEPER",
                "Lene Kristoffersen",
            ),
            ("Mathias Riis", "projektleder", "Operations", "CHAMPION", "Tobias Hald"),
            ("Sara Bruun", "praktikant", "Operations", None, "Mathias Riis"),
        ),
        board=(
            ("Hanne Vestergaard", "Bestyrelsesformand", "DECISION_MAKER"),
            ("Erik Lykke", "Bestyrelsesmedlem", None),
        ),
    ),
    Company(
        key="c-lillebaelt",
        name="Lillebælt Kapital A/S",
        industry="Investment",
        municipality="m-kolding",
        domain="lillebaeltkapital.dk",
        registration="40583726",
        tags=("owner",),
        staff=(
            ("Anders Juhl", "adm. direktør", "Direktion", "DECISION_MAKER", None),
            (
                "Gitte Holmgaard",
                "investeringsdirektør",
                "Investeringer",
                "INFLUENCER",
                "Anders Juhl",
            ),
        ),
    ),
    Company(
        key="c-moeller-vind",
        name="Møller & Vind Advokatpartnerselskab",
        industry="Legal services",
        municipality="m-aarhus",
        domain="moellervind.dk",
        registration="34928150",
        tags=("advisor", "legal"),
        staff=(
            ("Christian Møller", "Partner, advokat", "Erhvervsret", "DECISION_MAKER", None),
            ("Louise Vind", "advokat", "Udbudsret", None, "Christian Møller"),
        ),
    ),
)

MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality(
        key="m-aarhus",
        name="Aarhus Kommune",
        city="Aarhus",
        code="751",
        region="Region Midtjylland",
        population=373000,
        staff=(
            ("Jakob Lindholm", "borgmester", "Borgmesterens Afdeling", "DECISION_MAKER", None),
            (
                "Susanne Brink",
                "kommunaldirektør",
                "Borgmesterens Afdeling",
                "ECONOMIC_BUYER",
                "Jakob Lindholm",
            ),
            (
                "Morten Sejer",
                "teknisk direktør",
                "Teknik og Miljø",
                "TECHNICAL_BUYER",
                "Susanne Brink",
            ),
            ("Amalie Kruse", "projektleder", "Teknik og Miljø", "CHAMPION", "Morten Sejer"),
            ("Asger Vinding", "praktikant", "Teknik og Miljø", None, "Amalie Kruse"),
        ),
    ),
    Municipality(
        key="m-esbjerg",
        name="Esbjerg Kommune",
        city="Esbjerg",
        code="561",
        region="Region Syddanmark",
        population=116000,
        staff=(
            ("Ib Kragh", "borgmester", "Borgmesterens Kontor", "DECISION_MAKER", None),
            ("Anette Søgaard", "kommunaldirektør", "Direktionen", "ECONOMIC_BUYER", "Ib Kragh"),
            (
                "Jørgen Bak",
                "teknisk direktør",
                "Teknik & Miljø",
                "TECHNICAL_BUYER",
                "Anette Søgaard",
            ),
            ("Alberte Lund", "praktikant", "Teknik & Miljø", None, "Jørgen Bak"),
        ),
    ),
    # Scenario 3: the Vejle municipal cluster ("vejle" zone) reaches the rest of the network
    # only through p-niels-krogh.
    Municipality(
        key="m-vejle",
        name="Vejle Kommune",
        city="Vejle",
        code="630",
        region="Region Syddanmark",
        population=122000,
        zone="vejle",
        staff=(
            ("Bjarne Højer", "borgmester", "Borgmesterens Afdeling", "DECISION_MAKER", None),
            (
                "Charlotte Riber",
                "kommunaldirektør",
                "Direktionen",
                "ECONOMIC_BUYER",
                "Bjarne Højer",
            ),
            (
                "Steen Abildgaard",
                "teknisk direktør",
                "Teknik & Miljø",
                "TECHNICAL_BUYER",
                "Charlotte Riber",
            ),
            ("Ella Bisgaard", "praktikant", "Teknik & Miljø", None, "Steen Abildgaard"),
        ),
    ),
    Municipality(
        key="m-kolding",
        name="Kolding Kommune",
        city="Kolding",
        code="621",
        region="Region Syddanmark",
        population=95000,
        staff=(
            ("Knud Frandsen", "borgmester", "Borgmesterens Afdeling", "DECISION_MAKER", None),
            ("Inger Westh", "kommunaldirektør", "Direktionen", "ECONOMIC_BUYER", "Knud Frandsen"),
            (
                "Per Kallesen",
                "teknisk direktør",
                "By- og Udviklingsforvaltningen",
                "TECHNICAL_BUYER",
                "Inger Westh",
            ),
        ),
    ),
    Municipality(
        key="m-horsens",
        name="Horsens Kommune",
        city="Horsens",
        code="615",
        region="Region Midtjylland",
        population=98000,
        staff=(
            ("Flemming Ager", "borgmester", "Borgmesterens Afdeling", "DECISION_MAKER", None),
            ("Rita Nørgaard", "kommunaldirektør", "Direktionen", "ECONOMIC_BUYER", "Flemming Ager"),
            (
                "Jan Overgaard",
                "teknisk direktør",
                "Teknik og Miljø",
                "TECHNICAL_BUYER",
                "Rita Nørgaard",
            ),
        ),
    ),
    Municipality(
        key="m-fredericia",
        name="Fredericia Kommune",
        city="Fredericia",
        code="607",
        region="Region Syddanmark",
        population=52000,
        staff=(
            ("Steffen Lauge", "borgmester", "Borgmesterens Afdeling", "DECISION_MAKER", None),
            ("Merete Dyhr", "kommunaldirektør", "Direktionen", "ECONOMIC_BUYER", "Steffen Lauge"),
        ),
    ),
)

ORGANIZATIONS: tuple[Organization, ...] = (
    Organization(
        "o-forsyningsforum",
        "Forsyningsforum Danmark",
        "ASSOCIATION",
        "m-aarhus",
        ("utilities", "network"),
        staff=(("Lisbeth Kamp", "direktør", "Sekretariatet", "DECISION_MAKER", None),),
        website="https://www.forsyningsforum.example.dk",
    ),
    Organization(
        "o-erhverv-trekant",
        "Erhvervsnetværk Trekantområdet",
        "ASSOCIATION",
        "m-fredericia",
        ("business-network",),
        staff=(("Jacob Thorsen", "sekretariatschef", "Sekretariatet", "DECISION_MAKER", None),),
    ),
    Organization(
        "o-byg-anlaeg-syd",
        "Fagforeningen Byg & Anlæg Syd",
        "UNION",
        "m-vejle",
        ("union", "construction"),
        staff=(("Brian Søby", "formand", "Hovedbestyrelsen", "DECISION_MAKER", None),),
    ),
    Organization(
        "o-klimasekretariat-syd",
        "Klimasekretariatet Syd",
        "PUBLIC_AGENCY",
        "m-kolding",
        ("regional", "climate"),
        staff=(("Jeanette Uhre", "direktør", "Ledelse", "DECISION_MAKER", None),),
    ),
    Organization(
        "o-ingenioerakademi",
        "Østjysk Ingeniørakademi",
        "EDUCATION",
        "m-aarhus",
        ("alumni",),
    ),
    Organization(
        "o-groen-vestjylland",
        "Grøn Omstilling Vestjylland",
        "NGO",
        "m-esbjerg",
        ("climate",),
    ),
    Organization("o-byraad-aarhus", "Aarhus Byråd", "POLITICAL_BODY", "m-aarhus", ("council",)),
    Organization(
        "o-tmu-aarhus",
        "Teknik- og Miljøudvalget, Aarhus",
        "POLITICAL_BODY",
        "m-aarhus",
        ("committee",),
    ),
    Organization("o-byraad-esbjerg", "Esbjerg Byråd", "POLITICAL_BODY", "m-esbjerg", ("council",)),
    Organization(
        "o-tbu-esbjerg",
        "Teknik- og Byggeudvalget, Esbjerg",
        "POLITICAL_BODY",
        "m-esbjerg",
        ("committee",),
    ),
    Organization(
        "o-byraad-vejle", "Vejle Byråd", "POLITICAL_BODY", "m-vejle", ("council",), zone="vejle"
    ),
    Organization(
        "o-tmu-vejle",
        "Teknik- og Miljøudvalget, Vejle",
        "POLITICAL_BODY",
        "m-vejle",
        ("committee",),
        zone="vejle",
    ),
)

POLITICIANS: tuple[Politician, ...] = (
    Politician(
        "Ulla Kirkegaard",
        "udvalgsformand",
        "m-aarhus",
        (("o-tmu-aarhus", "Formand"), ("o-byraad-aarhus", "Byrådsmedlem")),
        influences="Jakob Lindholm",
    ),
    Politician(
        "Kenneth Ravnkilde",
        "byrådsmedlem",
        "m-aarhus",
        (("o-tmu-aarhus", "Medlem"), ("o-byraad-aarhus", "Byrådsmedlem")),
    ),
    Politician(
        "Tove Lunde",
        "udvalgsformand",
        "m-esbjerg",
        (("o-tbu-esbjerg", "Formand"), ("o-byraad-esbjerg", "Byrådsmedlem")),
        influences="Ib Kragh",
    ),
    Politician(
        "Mona Kjeldgaard",
        "udvalgsformand",
        "m-vejle",
        (("o-tmu-vejle", "Formand"), ("o-byraad-vejle", "Byrådsmedlem")),
        influences="Bjarne Højer",
    ),
    Politician(
        "Karim Haddad",
        "byrådsmedlem",
        "m-vejle",
        (("o-tmu-vejle", "Medlem"), ("o-byraad-vejle", "Byrådsmedlem")),
    ),
)

# Mayors also sit on their council.
MAYOR_SEATS = {
    "Jakob Lindholm": "o-byraad-aarhus",
    "Ib Kragh": "o-byraad-esbjerg",
    "Bjarne Højer": "o-byraad-vejle",
}

INDEPENDENTS: tuple[Independent, ...] = (
    Independent(
        "Hanne Vestergaard",
        "bestyrelsesformand",
        "Aarhus",
        ("board", "well-connected"),
        notes="Professional board chair; chairs Nordhavn Energi and Vesterhav Offshore Service.",
    ),
    Independent(
        "Erik Lykke",
        "bestyrelsesformand",
        "Kolding",
        ("board", "well-connected"),
        notes="Chairs Fjordbyg, Trekant Logistik and Datavej; close to Lillebælt Kapital.",
    ),
    Independent(
        "Poul Iversen",
        "bestyrelsesformand",
        "Esbjerg",
        ("board",),
        notes="Chair of Vestkyst Vand. Retired shipowner; keeps to a small Esbjerg circle.",
    ),
    Independent(
        "Niels Krogh",
        "Senior Advisor",
        "Vejle",
        ("advisor", "ex-municipal"),
        seniority="VP_DIRECTOR",
        notes="Kommunaldirektør in Vejle Kommune 2014-2023; now advises Fjordbyg Entreprise.",
    ),
)

# People whose person-person ties stay inside their zone unless wired by hand below.
ZONE_OF_PERSON_OVERRIDES = {"Poul Iversen": "vestkyst", "Niels Krogh": "vejle"}

# Organisations whose decision makers and juniors the analytics demo revolves around.
ORGS_OF_INTEREST = (
    "c-nordhavn",
    "c-vestkyst-vand",
    "c-fjordbyg",
    "c-trekant",
    "c-datavej",
    "c-gudenaa",
    "c-vesterhav",
    "m-aarhus",
    "m-esbjerg",
    "m-vejle",
)
JUNIOR_TITLES = ("praktikant", "junior konsulent", "trainee")

# Hand-written person-person ties: (kind, a, b, strength or None, extra fields).
PERSON_TIES: tuple[tuple[str, str, str, float | None, dict[str, str]], ...] = (
    # Scenario 2: weak direct tie, strong two-hop route via Mikkel Ravn.
    ("KNOWS", "Ida Nørgaard", "Peter Mørch", 0.15, {"context": "social", "evidence": "OBSERVED"}),
    ("KNOWS", "Ida Nørgaard", "Mikkel Ravn", 0.9, {"context": "former colleague"}),
    # Scenario 4: a declared strong tie that has gone cold.
    ("KNOWS", "Jonas Brandt", "Claus Winther", 0.8, {"context": "alumni"}),
    # Scenario 1: our way into Vestkyst Vand is Maria Lauridsen, and only her.
    ("KNOWS", "Rasmus Dahl", "Maria Lauridsen", 0.7, {}),
    ("KNOWS", "Emil Skov", "Maria Lauridsen", 0.45, {"evidence": "OBSERVED"}),
    ("KNOWS", "Lisbeth Kamp", "Maria Lauridsen", 0.5, {"context": "social"}),
    # Scenario 3: Niels Krogh's two worlds.
    ("KNOWS", "Niels Krogh", "Bjarne Højer", 0.85, {"context": "former colleague"}),
    ("KNOWS", "Niels Krogh", "Charlotte Riber", 0.8, {"context": "former colleague"}),
    ("KNOWS", "Niels Krogh", "Steen Abildgaard", 0.7, {"context": "former colleague"}),
    ("KNOWS", "Niels Krogh", "Anders Nyborg", 0.55, {"context": "social"}),
    ("KNOWS", "Kasper Vinther", "Niels Krogh", 0.55, {"context": "social"}),
    ("ADVISES", "Niels Krogh", "Jens Mortensen", 0.8, {"role": "Senior Advisor"}),
    # Our people's main relationships.
    ("KNOWS", "Sofie Lind", "Susanne Brink", 0.75, {"context": "former colleague"}),
    ("KNOWS", "Sofie Lind", "Ulla Kirkegaard", 0.6, {"context": "social"}),
    ("KNOWS", "Rasmus Dahl", "Anette Søgaard", 0.65, {}),
    ("KNOWS", "Rasmus Dahl", "Dorthe Vang", 0.6, {}),
    ("KNOWS", "Mette Kjær", "Birgitte Lange", 0.85, {"context": "social"}),
    ("KNOWS", "Mette Kjær", "Hanne Vestergaard", 0.7, {"context": "alumni"}),
    ("KNOWS", "Mette Kjær", "Christian Møller", 0.6, {"context": "alumni"}),
    ("KNOWS", "Jonas Brandt", "Hanne Vestergaard", 0.6, {"context": "social"}),
    ("KNOWS", "Jonas Brandt", "Erik Lykke", 0.65, {"context": "social"}),
    ("KNOWS", "Jonas Brandt", "Lisbeth Kamp", 0.7, {"context": "former colleague"}),
    ("KNOWS", "Thomas Wulff", "Stine Kofoed", 0.6, {}),
    ("KNOWS", "Line Bach", "Nanna Lassen", 0.8, {"context": "former colleague"}),
    ("KNOWS", "Line Bach", "Bo Lund", 0.7, {"context": "alumni"}),
    ("KNOWS", "Kasper Vinther", "Morten Agger", 0.5, {}),
    ("KNOWS", "Kasper Vinther", "Inger Westh", 0.45, {"context": "social"}),
    ("FAMILY", "Anna Holm", "Kristian Feldt", 0.95, {"role": "spouse", "evidence": "DECLARED"}),
    ("FAMILY", "Tove Lunde", "Lisbeth Kamp", 0.8, {"role": "sibling", "evidence": "DECLARED"}),
    ("ADVISES", "Christian Møller", "Peter Mørch", 0.7, {"role": "Legal counsel"}),
    ("ADVISES", "Christian Møller", "Carsten Bundgaard", 0.5, {"role": "Legal counsel"}),
    ("ADVISES", "Jeanette Uhre", "Knud Frandsen", 0.5, {"role": "Climate plan adviser"}),
    ("INFLUENCES", "Hanne Vestergaard", "Peter Mørch", 0.8, {}),
    ("INFLUENCES", "Hanne Vestergaard", "Carsten Bundgaard", 0.7, {}),
    ("INFLUENCES", "Erik Lykke", "Jens Mortensen", 0.8, {}),
    ("INFLUENCES", "Erik Lykke", "Claus Winther", 0.75, {}),
    ("INFLUENCES", "Anders Juhl", "Erik Lykke", 0.6, {}),
    ("INFLUENCES", "Poul Iversen", "Henrik Bonde", 0.85, {}),
    ("INFLUENCES", "Lisbeth Kamp", "Ulla Kirkegaard", None, {"evidence": "INFERRED"}),
    ("INFLUENCES", "Brian Kjeldsen", "Helle Juul", 0.55, {"evidence": "OBSERVED"}),
    # Relationship ownership of key people (only our people can own a relationship).
    ("RELATIONSHIP_OWNER", "Rasmus Dahl", "Maria Lauridsen", None, {}),
    ("RELATIONSHIP_OWNER", "Ida Nørgaard", "Anna Holm", None, {}),
    ("RELATIONSHIP_OWNER", "Jonas Brandt", "Claus Winther", None, {}),
    ("RELATIONSHIP_OWNER", "Kasper Vinther", "Jens Mortensen", 0.7, {}),
    ("RELATIONSHIP_OWNER", "Sofie Lind", "Susanne Brink", None, {}),
    ("RELATIONSHIP_OWNER", "Thomas Wulff", "Stine Kofoed", None, {}),
    ("RELATIONSHIP_OWNER", "Rasmus Dahl", "Carsten Bundgaard", None, {}),
)

# Relationship ownership of organisations: (our person, organisation key).
ACCOUNT_OWNERS = (
    ("Ida Nørgaard", "c-nordhavn"),
    ("Rasmus Dahl", "c-vestkyst-vand"),
    ("Kasper Vinther", "c-fjordbyg"),
    ("Jonas Brandt", "c-trekant"),
    ("Thomas Wulff", "c-datavej"),
    ("Mette Kjær", "c-gudenaa"),
    ("Rasmus Dahl", "c-vesterhav"),
    ("Sofie Lind", "m-aarhus"),
    ("Rasmus Dahl", "m-esbjerg"),
    ("Sofie Lind", "m-vejle"),
    ("Kasper Vinther", "m-kolding"),
    ("Sofie Lind", "m-horsens"),
)

# Organisation-level ties: (kind, source, target, extra fields).
ORG_TIES: tuple[tuple[str, str, str, dict[str, object]], ...] = (
    ("CLIENT_OF", "c-nordhavn", "c-kystlinje", {"since": "2021-04-01", "strength": 0.8}),
    ("CLIENT_OF", "c-vestkyst-vand", "c-kystlinje", {"since": "2023-09-01", "strength": 0.5}),
    ("CLIENT_OF", "c-fjordbyg", "c-kystlinje", {"since": "2022-02-01", "strength": 0.7}),
    ("CLIENT_OF", "c-trekant", "c-kystlinje", {"since": "2019-11-01"}),
    ("CLIENT_OF", "c-vesterhav", "c-kystlinje", {"since": "2024-06-01", "strength": 0.4}),
    ("CLIENT_OF", "m-aarhus", "c-kystlinje", {"since": "2020-01-01", "strength": 0.75}),
    ("CLIENT_OF", "m-esbjerg", "c-kystlinje", {"since": "2024-03-01"}),
    ("CLIENT_OF", "c-nordhavn", "c-datavej", {"since": "2018-05-01", "strength": 0.6}),
    ("CLIENT_OF", "m-vejle", "c-fjordbyg", {"since": "2020-08-01", "strength": 0.7}),
    ("SUPPLIES", "c-datavej", "c-kystlinje", {"since": "2022-01-01", "strength": 0.6}),
    ("SUPPLIES", "c-gudenaa", "c-vestkyst-vand", {"since": "2021-06-01", "strength": 0.65}),
    ("SUPPLIES", "c-fjordbyg", "c-vesterhav", {"since": "2023-03-01", "strength": 0.5}),
    ("SUPPLIES", "c-trekant", "c-fjordbyg", {"since": "2017-09-01"}),
    ("SUPPLIES", "c-gudenaa", "m-horsens", {"since": "2019-01-01", "strength": 0.55}),
    ("SUPPLIES", "c-datavej", "c-trekant", {"since": "2020-10-01", "strength": 0.45}),
    ("PARTNER_OF", "c-kystlinje", "c-gudenaa", {"since": "2018-03-01", "strength": 0.85}),
    ("PARTNER_OF", "c-gudenaa", "c-fjordbyg", {"since": "2021-01-01", "strength": 0.6}),
    ("PARTNER_OF", "c-kystlinje", "c-moeller-vind", {"since": "2016-05-01", "strength": 0.7}),
    ("OWNS", "m-esbjerg", "c-vestkyst-vand", {"share": 100.0, "evidence": "PUBLIC_RECORD"}),
    ("OWNS", "m-aarhus", "c-nordhavn", {"share": 51.0, "evidence": "PUBLIC_RECORD"}),
    ("OWNS", "c-lillebaelt", "c-fjordbyg", {"share": 62.0, "evidence": "PUBLIC_RECORD"}),
    ("OWNS", "c-lillebaelt", "c-trekant", {"share": 35.0, "evidence": "PUBLIC_RECORD"}),
    ("OWNS", "c-lillebaelt", "c-datavej", {"share": 20.0, "evidence": "PUBLIC_RECORD"}),
    ("OWNS", "p-anders-juhl", "c-lillebaelt", {"share": 40.0, "evidence": "PUBLIC_RECORD"}),
    ("OWNS", "p-rune-kvist", "c-datavej", {"share": 45.0, "evidence": "PUBLIC_RECORD"}),
    ("ADVISES", "c-kystlinje", "c-nordhavn", {"role": "District heating strategy"}),
    ("ADVISES", "c-kystlinje", "m-aarhus", {"role": "Climate plan 2030"}),
    ("ADVISES", "c-moeller-vind", "c-nordhavn", {"role": "Procurement law"}),
    ("ADVISES", "p-niels-krogh", "c-fjordbyg", {"role": "Public-sector market", "strength": 0.8}),
    ("ADVISES", "o-klimasekretariat-syd", "m-kolding", {}),
    ("REPRESENTS", "o-byraad-aarhus", "m-aarhus", {"evidence": "PUBLIC_RECORD"}),
    ("REPRESENTS", "o-byraad-esbjerg", "m-esbjerg", {"evidence": "PUBLIC_RECORD"}),
    ("REPRESENTS", "o-byraad-vejle", "m-vejle", {"evidence": "PUBLIC_RECORD"}),
    ("REPRESENTS", "p-christian-moeller", "c-nordhavn", {"role": "Legal counsel"}),
    ("REPRESENTS", "p-gitte-holmgaard", "c-lillebaelt", {"role": "Owner representative"}),
    ("REPRESENTS", "p-brian-soeby", "o-byg-anlaeg-syd", {"role": "Formand"}),
    ("INFLUENCES", "o-forsyningsforum", "o-tmu-aarhus", {"evidence": "OBSERVED"}),
    ("INFLUENCES", "c-lillebaelt", "c-trekant", {"strength": 0.6}),
    ("INFLUENCES", "o-byg-anlaeg-syd", "c-fjordbyg", {"evidence": "OBSERVED"}),
    ("INFLUENCES", "o-groen-vestjylland", "m-esbjerg", {"evidence": "INFERRED"}),
    ("MEMBER_OF", "c-kystlinje", "o-forsyningsforum", {"since": "2019-01-01"}),
    ("MEMBER_OF", "c-nordhavn", "o-forsyningsforum", {"since": "2012-01-01"}),
    ("MEMBER_OF", "c-vestkyst-vand", "o-forsyningsforum", {"since": "2015-01-01"}),
    ("MEMBER_OF", "c-gudenaa", "o-forsyningsforum", {"since": "2017-01-01"}),
    ("MEMBER_OF", "c-trekant", "o-erhverv-trekant", {"since": "2016-01-01"}),
    ("MEMBER_OF", "c-fjordbyg", "o-erhverv-trekant", {"since": "2014-01-01"}),
    ("MEMBER_OF", "c-datavej", "o-erhverv-trekant", {"since": "2019-01-01"}),
    ("MEMBER_OF", "c-lillebaelt", "o-erhverv-trekant", {"since": "2020-01-01"}),
    ("MEMBER_OF", "c-vesterhav", "o-groen-vestjylland", {"since": "2022-01-01"}),
    ("MEMBER_OF", "o-tmu-aarhus", "o-byraad-aarhus", {"role": "Stående udvalg"}),
    ("MEMBER_OF", "o-tbu-esbjerg", "o-byraad-esbjerg", {"role": "Stående udvalg"}),
    ("MEMBER_OF", "o-tmu-vejle", "o-byraad-vejle", {"role": "Stående udvalg"}),
    ("MEMBER_OF", "m-aarhus", "o-klimasekretariat-syd", {"role": "Observer"}),
    ("MEMBER_OF", "p-julie-ebbesen", "o-byg-anlaeg-syd", {"role": "Medlem"}),
    ("MEMBER_OF", "p-nikolaj-brix", "o-byg-anlaeg-syd", {"role": "Medlem"}),
    ("MEMBER_OF", "p-ida-noergaard", "o-ingenioerakademi", {"role": "Alumni"}),
    ("MEMBER_OF", "p-mikkel-ravn", "o-ingenioerakademi", {"role": "Alumni"}),
    ("MEMBER_OF", "p-jonas-brandt", "o-ingenioerakademi", {"role": "Alumni"}),
    ("MEMBER_OF", "p-claus-winther", "o-ingenioerakademi", {"role": "Alumni"}),
    ("MEMBER_OF", "p-line-bach", "o-ingenioerakademi", {"role": "Alumni"}),
    ("MEMBER_OF", "p-bo-lund", "o-ingenioerakademi", {"role": "Alumni"}),
    ("MEMBER_OF", "p-mette-kjaer", "o-ingenioerakademi", {"role": "Alumni"}),
    ("MEMBER_OF", "p-hanne-vestergaard", "o-ingenioerakademi", {"role": "Alumni"}),
    ("MEMBER_OF", "p-lisbeth-kamp", "o-groen-vestjylland", {"role": "Bestyrelsesmedlem"}),
)

# Hubs of the acquaintance network: relative weight of being picked for a KNOWS tie.
SOCIAL_HUBS = {
    "Hanne Vestergaard": 6.0,
    "Erik Lykke": 6.0,
    "Lisbeth Kamp": 5.0,
    "Jonas Brandt": 4.0,
    "Christian Møller": 4.0,
    "Stine Kofoed": 3.0,
    "Rasmus Dahl": 3.0,
}
RANDOM_KNOWS = 34
JUNIOR_KNOWS = 5


@dataclass(frozen=True)
class Engagement:
    """A stream of interactions between some of our people and some of theirs."""

    name: str
    ours: tuple[str, ...]
    theirs: tuple[str, ...]
    count: int
    start: date
    end: date
    mood: float
    kinds: tuple[tuple[str, int], ...]
    topics: tuple[tuple[str, str, str], ...]  # (subject, summary, outcome)
    last_contact: dict[str, date] = field(default_factory=dict)


MEETINGS = (("MEETING", 5), ("CALL", 4), ("EMAIL", 4), ("SITE_VISIT", 1), ("NEGOTIATION", 1))
TENDER = (("MEETING", 4), ("CALL", 3), ("EMAIL", 4), ("NEGOTIATION", 3), ("LETTER", 1))
PUBLIC = (("MEETING", 5), ("EMAIL", 4), ("LETTER", 2), ("CALL", 2), ("SITE_VISIT", 1))

ENGAGEMENTS: tuple[Engagement, ...] = (
    Engagement(
        "Nordhavn district heating",
        ("Ida Nørgaard", "Ida Nørgaard", "Jonas Brandt", "Line Bach", "Freja Holt"),
        (
            "Anna Holm",
            "Anna Holm",
            "Lars Fogh",
            "Mikkel Ravn",
            "Mikkel Ravn",
            "Camilla Rask",
            "Bo Lund",
            "Bo Lund",
            "Signe Dam",
            "Peter Mørch",
        ),
        38,
        FIRST_DAY,
        LAST_DAY,
        0.45,
        MEETINGS,
        (
            (
                "District heating expansion Aarhus Nord",
                "Walked through the heat demand forecast and the pipe routing options.",
                "Nordhavn to share GIS data for the northern districts.",
            ),
            (
                "Heat supply tender",
                "Reviewed the tender documents and the evaluation model.",
                "We send comments on the price weighting by Friday.",
            ),
            (
                "Varmeplan 2030 workshop",
                "Workshop on the heat plan scenarios with the strategy team.",
                "Agreed to model a large heat pump at the harbour as scenario C.",
            ),
            (
                "Budget for 2026 grid investments",
                "Anna Holm challenged the investment profile; wants a phased plan.",
                "Revised phasing to be presented at the next steering group.",
            ),
            (
                "Steering group, heat plan",
                "Status on the heat plan; slight delay on the data side.",
                "Milestone moved two weeks; no change to scope.",
            ),
            (
                "IT platform renewal for metering",
                "Discussed the metering platform replacement and data migration.",
                "Nordhavn asks for a second opinion on Datavej's proposal.",
            ),
        ),
    ),
    Engagement(
        "Vestkyst Vand pipe renewal",
        ("Rasmus Dahl", "Rasmus Dahl", "Emil Skov"),
        ("Maria Lauridsen",),
        18,
        FIRST_DAY,
        LAST_DAY,
        0.2,
        TENDER,
        (
            (
                "Water pipe renewal framework agreement",
                "Maria Lauridsen outlined the procurement plan for the 2026-2029 framework.",
                "We may bid as advisor; tender expected in Q1.",
            ),
            (
                "Ledningsrenovering: questions and answers",
                "Clarifications on the tender material for the pipe renewal programme.",
                "Answers published to all bidders.",
            ),
            (
                "Negotiation round: advisory framework",
                "Price and hours discussed; Vestkyst Vand pushed hard on the hourly rate.",
                "Second round scheduled; management approval needed on their side.",
            ),
            (
                "Climate adaptation of the sewer network",
                "Informal talk about storm water projects after the autumn floods.",
                "Maria will check whether the board wants an external review.",
            ),
        ),
    ),
    Engagement(
        "Fjordbyg harbour and tenders",
        ("Kasper Vinther", "Kasper Vinther", "Sofie Lind", "Emil Skov"),
        (
            "Jens Mortensen",
            "Pia Strand",
            "Morten Agger",
            "Morten Agger",
            "Rikke Bjerre",
            "Anders Nyborg",
            "Anders Nyborg",
            "Julie Ebbesen",
            "Niels Krogh",
        ),
        26,
        FIRST_DAY,
        LAST_DAY,
        0.35,
        TENDER,
        (
            (
                "Harbour expansion Vejle: bid strategy",
                "Went through the municipal harbour expansion and Fjordbyg's bid options.",
                "Fjordbyg decides on a consortium with Gudenå Ingeniører.",
            ),
            (
                "Tender documentation review",
                "Reviewed the draft bid and the risk register.",
                "Two open risks on soil conditions need a price reservation.",
            ),
            (
                "Negotiation round: harbour quay contract",
                "Tough round on penalties and the schedule.",
                "Penalty cap agreed at 10 percent; schedule still open.",
            ),
            (
                "Site visit at the quay",
                "Walked the quay area with the project team.",
                "Survey of the sheet piling ordered.",
            ),
            (
                "Public-sector market outlook",
                "Niels Krogh briefed on municipal investment plans in the Triangle Region.",
                "Fjordbyg to prioritise two municipal tenders next year.",
            ),
        ),
    ),
    Engagement(
        "Trekant logistics",
        ("Jonas Brandt", "Jonas Brandt", "Kasper Vinther"),
        (
            "Claus Winther",
            "Helle Juul",
            "Helle Juul",
            "Kim Sørensen",
            "Brian Kjeldsen",
            "Tina Mølgaard",
            "Louise Hvid",
        ),
        18,
        FIRST_DAY,
        LAST_DAY,
        0.15,
        MEETINGS,
        (
            (
                "Warehouse automation business case",
                "Reviewed the business case for the Fredericia terminal.",
                "CFO wants a sensitivity analysis on volumes.",
            ),
            (
                "Fleet electrification study",
                "Discussed charging capacity at the depots.",
                "Study paused until the grid connection offer arrives.",
            ),
            (
                "Contract renewal, advisory services",
                "Brian Kjeldsen questioned the value of the external advice.",
                "No decision; to be revisited after the budget.",
            ),
            (
                "IT platform renewal, transport management",
                "Kim Sørensen presented the shortlist of TMS vendors.",
                "We review the requirements specification.",
            ),
        ),
        # Scenario 4: no contact with Claus Winther after September 2025.
        last_contact={"Claus Winther": date(2025, 8, 31)},
    ),
    Engagement(
        "Datavej platform",
        ("Thomas Wulff", "Thomas Wulff", "Line Bach", "Emil Skov"),
        (
            "Stine Kofoed",
            "Stine Kofoed",
            "Frederik Hauge",
            "Frederik Hauge",
            "Ahmad Rahimi",
            "Rune Kvist",
        ),
        14,
        FIRST_DAY,
        LAST_DAY,
        0.3,
        MEETINGS,
        (
            (
                "IT platform renewal",
                "Datavej presented the migration plan for our CRM and document platform.",
                "Go-live planned for the spring.",
            ),
            (
                "Licence and support agreement",
                "Discussed licence tiers and support hours.",
                "Datavej sends a revised offer.",
            ),
            (
                "Service review",
                "Quarterly service review; two incidents in the period.",
                "Root cause report due next week.",
            ),
        ),
    ),
    Engagement(
        "Gudenå partnership",
        ("Mette Kjær", "Line Bach", "Line Bach", "Jonas Brandt"),
        (
            "Birgitte Lange",
            "Kristian Feldt",
            "Nanna Lassen",
            "Nanna Lassen",
            "Victor Bang",
            "Ole Damgaard",
        ),
        14,
        FIRST_DAY,
        LAST_DAY,
        0.6,
        MEETINGS,
        (
            (
                "Joint bid: climate adaptation Horsens",
                "Split of roles between engineering and advisory in the joint bid.",
                "Gudenå leads; we take stakeholder management.",
            ),
            (
                "Partnership review",
                "Yearly review of the partnership and shared pipeline.",
                "Three joint opportunities for next year.",
            ),
            (
                "Water and climate knowledge day",
                "Planned a joint knowledge day for utilities.",
                "Date set; invitations go out next month.",
            ),
        ),
    ),
    Engagement(
        "Vesterhav harbour expansion",
        ("Rasmus Dahl", "Sofie Lind", "Kasper Vinther"),
        (
            "Carsten Bundgaard",
            "Lene Kristoffersen",
            "Tobias Hald",
            "Dorthe Vang",
            "Dorthe Vang",
            "Mathias Riis",
        ),
        14,
        FIRST_DAY,
        date(2025, 8, 15),
        -0.2,
        TENDER,
        (
            (
                "Harbour expansion Esbjerg: service quay",
                "Requirements for the new service quay and crane capacity.",
                "Vesterhav unhappy with the timeline we proposed.",
            ),
            (
                "Negotiation round: advisory fee",
                "Vesterhav rejected the fee model; wants fixed price.",
                "No agreement; we were asked to resubmit.",
            ),
            (
                "Offshore wind service contracts",
                "Market update on offshore wind service contracts.",
                "Carsten Bundgaard sceptical about the market forecast.",
            ),
        ),
    ),
    Engagement(
        "Aarhus Kommune climate plan",
        ("Sofie Lind", "Sofie Lind", "Ida Nørgaard", "Emil Skov", "Kasper Vinther"),
        (
            "Susanne Brink",
            "Morten Sejer",
            "Morten Sejer",
            "Amalie Kruse",
            "Amalie Kruse",
            "Ulla Kirkegaard",
            "Jakob Lindholm",
            "Kenneth Ravnkilde",
        ),
        22,
        FIRST_DAY,
        LAST_DAY,
        0.4,
        PUBLIC,
        (
            (
                "Klimaplan 2030: district heating chapter",
                "Drafted the district heating chapter with the technical department.",
                "Draft goes to Teknik- og Miljøudvalget in the next cycle.",
            ),
            (
                "Committee briefing: heat supply",
                "Briefed the committee chair on heat supply options.",
                "Chair asks for a cost comparison per household.",
            ),
            (
                "Water pipes and climate adaptation",
                "Discussed climate adaptation of water pipes in the city centre.",
                "A pilot area is to be selected.",
            ),
            (
                "Budget follow-up",
                "Follow-up on the consultancy budget for the climate plan.",
                "Budget extended by 200 hours.",
            ),
        ),
    ),
    Engagement(
        "Esbjerg Kommune harbour",
        ("Rasmus Dahl", "Rasmus Dahl", "Sofie Lind"),
        ("Ib Kragh", "Anette Søgaard", "Anette Søgaard", "Jørgen Bak", "Tove Lunde"),
        11,
        FIRST_DAY,
        LAST_DAY,
        0.25,
        PUBLIC,
        (
            (
                "Harbour expansion Esbjerg: municipal plan",
                "Municipal plan amendments for the harbour expansion.",
                "Hearing period starts after the summer.",
            ),
            (
                "District heating transition in Esbjerg",
                "Talked about the transition from gas to district heating in the suburbs.",
                "Esbjerg wants a neutral advisor for the citizens' meetings.",
            ),
            (
                "Letter of intent: advisory support",
                "Letter of intent on advisory support for the harbour plan.",
                "Signed by the kommunaldirektør.",
            ),
        ),
    ),
    Engagement(
        "Triangle municipalities",
        ("Kasper Vinther", "Sofie Lind"),
        (
            "Knud Frandsen",
            "Inger Westh",
            "Per Kallesen",
            "Flemming Ager",
            "Rita Nørgaard",
            "Jan Overgaard",
            "Steffen Lauge",
            "Merete Dyhr",
            "Jeanette Uhre",
        ),
        10,
        FIRST_DAY,
        LAST_DAY,
        0.3,
        PUBLIC,
        (
            (
                "Regional climate cooperation",
                "Discussed a joint climate adaptation effort along the fjords.",
                "Klimasekretariatet Syd coordinates a first workshop.",
            ),
            (
                "Framework agreement for advisory services",
                "Municipal procurement of advisory framework agreements.",
                "We are invited to pre-qualification.",
            ),
        ),
    ),
)

# Events: (date, subject, our people, their people, sentiment).
EVENTS: tuple[tuple[date, str, tuple[str, ...], tuple[str, ...], float], ...] = (
    (
        date(2025, 3, 12),
        "Forsyningsdagen 2025, Aarhus",
        ("Jonas Brandt", "Ida Nørgaard", "Rasmus Dahl"),
        ("Lisbeth Kamp", "Bo Lund", "Maria Lauridsen", "Birgitte Lange", "Anna Holm"),
        0.6,
    ),
    (
        date(2025, 5, 22),
        "Erhvervsnetværk Trekantområdet: spring meeting",
        ("Kasper Vinther", "Jonas Brandt"),
        ("Jacob Thorsen", "Erik Lykke", "Helle Juul", "Rune Kvist", "Anders Juhl"),
        0.5,
    ),
    (
        date(2025, 9, 18),
        "Water and climate knowledge day",
        ("Line Bach", "Mette Kjær", "Freja Holt"),
        ("Nanna Lassen", "Kristian Feldt", "Lisbeth Kamp", "Amalie Kruse"),
        0.7,
    ),
    (
        date(2026, 3, 11),
        "Forsyningsdagen 2026, Aarhus",
        ("Jonas Brandt", "Ida Nørgaard", "Freja Holt"),
        ("Lisbeth Kamp", "Mikkel Ravn", "Oliver Krag", "Hanne Vestergaard", "Maria Lauridsen"),
        0.55,
    ),
    (
        date(2026, 6, 4),
        "Klimatopmøde Syd, Kolding",
        ("Sofie Lind", "Kasper Vinther"),
        ("Jeanette Uhre", "Knud Frandsen", "Tove Lunde", "Per Kallesen"),
        0.4,
    ),
    (
        date(2026, 10, 29),
        "Harbour conference Esbjerg",
        ("Rasmus Dahl", "Emil Skov"),
        ("Jørgen Bak", "Tobias Hald", "Dorthe Vang"),
        0.1,
    ),
)

# Hand-placed interactions that the scenarios depend on:
# (date, hour, kind, our people, their people, sentiment, subject, summary, outcome).
FIXED_INTERACTIONS: tuple[
    tuple[date, int, str, tuple[str, ...], tuple[str, ...], float, str, str | None, str | None],
    ...,
] = (
    (
        date(2025, 9, 11),
        10,
        "MEETING",
        ("Jonas Brandt",),
        ("Claus Winther",),
        0.5,
        "Strategy review with Trekant's management",
        "Lunch with Claus Winther; good atmosphere. The board wants a new growth plan.",
        "Agreed to meet again after the budget. No follow-up since.",
    ),
    (
        date(2025, 2, 5),
        13,
        "NEGOTIATION",
        ("Rasmus Dahl", "Sofie Lind"),
        ("Carsten Bundgaard", "Lene Kristoffersen"),
        -0.7,
        "Negotiation round: advisory fee",
        "Carsten Bundgaard walked out after 40 minutes over the fee model.",
        "Negotiation suspended.",
    ),
    (
        date(2026, 11, 24),
        9,
        "MEETING",
        ("Ida Nørgaard", "Jonas Brandt"),
        ("Mikkel Ravn", "Anna Holm"),
        0.65,
        "Heat supply tender: preparing the board decision",
        "Mikkel Ravn offered to brief Peter Mørch before the board meeting.",
        "Ida sends a one-page summary to Mikkel.",
    ),
    (
        date(2026, 11, 20),
        14,
        "CALL",
        ("Rasmus Dahl",),
        ("Maria Lauridsen",),
        0.3,
        "Water pipe renewal framework agreement",
        "Maria Lauridsen says the adm. direktør wants to see references before shortlisting.",
        "We send three references; Maria presents them internally.",
    ),
)

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe"})


def slug(text: str) -> str:
    folded = text.lower().translate(_ASCII)
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())


def person_key(name: str) -> str:
    return "p-" + slug(name)


def email_for(name: str, domain: str) -> str:
    return slug(name).replace("-", ".") + "@" + domain


def phone(rng: random.Random) -> str:
    digits = f"{rng.choice((20, 22, 26, 28, 30, 40, 42, 50, 60, 61))}{rng.randrange(10**6):06d}"
    return "+45 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))


def month_start(rng: random.Random, first_year: int, last_year: int) -> date:
    return date(rng.randint(first_year, last_year), rng.randint(1, 12), 1)


def round2(value: float) -> float:
    return round(value, 2)


def working_day(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1) if day < LAST_DAY else day - timedelta(days=2)
    return day


# --------------------------------------------------------------------------------------------
# The network under construction
# --------------------------------------------------------------------------------------------


class Network:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.stakeholders: list[dict[str, object]] = []
        self.by_key: dict[str, dict[str, object]] = {}
        self.ties: list[dict[str, object]] = []
        self.triples: set[tuple[str, str, str]] = set()
        self.interactions: list[dict[str, object]] = []
        self.zone: dict[str, str] = {}
        self.employer: dict[str, str] = {}
        self.decision_makers: set[str] = set()
        self.juniors: dict[str, str] = {}  # person key -> organisation key
        self.since: dict[str, date] = {}

    # -- stakeholders ------------------------------------------------------------------------

    def add_stakeholder(self, row: dict[str, object]) -> None:
        key = str(row["key"])
        assert key not in self.by_key, f"duplicate stakeholder key {key}"
        self.stakeholders.append(row)
        self.by_key[key] = row

    def add_person(
        self,
        name: str,
        title: str,
        *,
        internal: bool,
        tags: tuple[str, ...],
        domain: str | None,
        zone: str,
        seniority: str | None = None,
        notes: str | None = None,
    ) -> str:
        key = person_key(name)
        row: dict[str, object] = {"key": key, "kind": "PERSON", "name": name, "title": title}
        if seniority:
            row["seniority"] = seniority
        row["internal"] = internal
        row["tags"] = list(tags)
        if domain:
            row["email"] = email_for(name, domain)
        row["phone"] = phone(self.rng)
        if notes:
            row["notes"] = notes
        self.add_stakeholder(row)
        self.zone[key] = ZONE_OF_PERSON_OVERRIDES.get(name, zone)
        return key

    # -- ties --------------------------------------------------------------------------------

    def tie(self, kind: str, source: str, target: str, **fields: object) -> None:
        assert source in self.by_key, source
        assert target in self.by_key, target
        assert source != target, f"self tie {kind} {source}"
        triple = (source, target, kind)
        assert triple not in self.triples, f"duplicate tie {triple}"
        if kind in ("KNOWS", "FAMILY", "PARTNER_OF"):
            assert (target, source, kind) not in self.triples, f"symmetric duplicate {triple}"
        self.triples.add(triple)
        row: dict[str, object] = {
            "key": f"t-{len(self.ties) + 1:04d}",
            "source": source,
            "target": target,
            "kind": kind,
        }
        for name in ("role", "department", "decisionRole", "context", "share", "strength"):
            if fields.get(name) is not None:
                row[name] = fields[name]
        for name in ("since", "until"):
            if fields.get(name) is not None:
                row[name] = str(fields[name])
        row["confidence"] = fields.get("confidence", 0.9)
        row["evidence"] = fields.get("evidence", "DECLARED")
        unknown = set(fields) - {
            "role", "department", "decisionRole", "context", "share", "strength", "since",
            "until", "confidence", "evidence",
        }  # fmt: skip
        assert not unknown, unknown
        self.ties.append(row)

    def linked(self, a: str, b: str, kinds: tuple[str, ...]) -> bool:
        return any((a, b, k) in self.triples or (b, a, k) in self.triples for k in kinds)


# --------------------------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------------------------


def add_org_chart(
    net: Network,
    org_key: str,
    staff: tuple[Staff, ...],
    domain: str | None,
    zone: str,
    *,
    internal: bool = False,
    tags: tuple[str, ...] = (),
) -> None:
    """People, WORKS_FOR ties with decision roles, and the REPORTS_TO chain of one organisation."""
    rng = net.rng
    keys: dict[str, str] = {}
    for name, title, department, _decision, _manager in staff:
        person_tags = tuple(tags) + ((slug(department),) if department else ())
        keys[name] = net.add_person(
            name, title, internal=internal, tags=person_tags, domain=domain, zone=zone
        )
    for name, title, department, decision, _manager in staff:
        key = keys[name]
        junior = title in JUNIOR_TITLES
        start = month_start(rng, 2025, 2026) if junior else month_start(rng, 2008, 2023)
        start = min(start, date(2026, 9, 1))
        net.since[key] = start
        net.employer[key] = org_key
        if decision == "DECISION_MAKER":
            net.decision_makers.add(key)
        if junior:
            net.juniors[key] = org_key
        net.tie(
            "WORKS_FOR",
            key,
            org_key,
            role=title,
            department=department,
            decisionRole=decision,
            strength=round2(rng.uniform(0.75, 1.0)),
            since=start,
            confidence=1.0 if internal else round2(rng.uniform(0.8, 1.0)),
            evidence="DECLARED" if internal else rng.choice(("DECLARED", "PUBLIC_RECORD")),
        )
    for name, _title, _department, _decision, manager in staff:
        if manager is None:
            continue
        key, boss = keys[name], keys[manager]
        # Scenario 2 needs this line to be strong; elsewhere some lines carry no strength.
        strength: float | None
        if (key, boss) == ("p-mikkel-ravn", "p-peter-moerch"):
            strength = 0.85
        elif rng.random() < 0.2:
            strength = None
        else:
            strength = round2(rng.uniform(0.55, 0.95))
        net.tie(
            "REPORTS_TO",
            key,
            boss,
            strength=strength,
            since=max(net.since[key], net.since[boss]),
            confidence=round2(rng.uniform(0.8, 1.0)),
            evidence="DECLARED" if internal else rng.choice(("DECLARED", "OBSERVED")),
        )


def add_organisations(net: Network) -> None:
    """Companies, municipalities and other organisations, each with its own people."""
    rng = net.rng
    for company in (OUR_COMPANY, *COMPANIES):
        municipality = next(m for m in MUNICIPALITIES if m.key == company.municipality)
        row: dict[str, object] = {
            "key": company.key,
            "kind": "COMPANY",
            "name": company.name,
            "industry": company.industry,
            "country": "DK",
            "city": municipality.city,
            "website": f"https://www.{company.domain}",
            "registrationNumber": company.registration,
            "tags": list(company.tags),
        }
        if company.internal:
            row["internal"] = True
        net.add_stakeholder(row)
    for municipality in MUNICIPALITIES:
        net.add_stakeholder(
            {
                "key": municipality.key,
                "kind": "MUNICIPALITY",
                "name": municipality.name,
                "code": municipality.code,
                "region": municipality.region,
                "country": "DK",
                "population": municipality.population,
                "tags": [],
            }
        )
    for org in ORGANIZATIONS:
        municipality = next(m for m in MUNICIPALITIES if m.key == org.municipality)
        org_row: dict[str, object] = {
            "key": org.key,
            "kind": "ORGANIZATION",
            "name": org.name,
            "category": org.category,
            "country": "DK",
            "city": municipality.city,
        }
        if org.website:
            org_row["website"] = org.website
        org_row["tags"] = list(org.tags)
        net.add_stakeholder(org_row)

    add_org_chart(
        net, OUR_COMPANY.key, OUR_COMPANY.staff, OUR_COMPANY.domain, "main", internal=True,
        tags=("kystlinje",),
    )  # fmt: skip
    for company in COMPANIES:
        add_org_chart(net, company.key, company.staff, company.domain, company.zone)
    for municipality in MUNICIPALITIES:
        add_org_chart(
            net, municipality.key, municipality.staff, None, municipality.zone,
            tags=("municipality",),
        )  # fmt: skip
    for org in ORGANIZATIONS:
        domain = org.website.removeprefix("https://www.") if org.website else None
        add_org_chart(net, org.key, org.staff, domain, org.zone)
    for politician in POLITICIANS:
        municipality = next(m for m in MUNICIPALITIES if m.key == politician.municipality)
        net.add_person(
            politician.name,
            politician.title,
            internal=False,
            tags=("politician",),
            domain=None,
            zone=municipality.zone,
        )
    for person in INDEPENDENTS:
        net.add_person(
            person.name,
            person.title,
            internal=False,
            tags=person.tags,
            domain=None,
            zone="main",
            seniority=person.seniority,
            notes=person.notes,
        )
    located: list[tuple[str, str, bool]] = [(c.key, c.municipality, False) for c in COMPANIES]
    located += [(o.key, o.municipality, o.category == "POLITICAL_BODY") for o in ORGANIZATIONS]
    for org_key, municipality_key, political in located:
        if political:
            evidence = "PUBLIC_RECORD"
        else:
            evidence = "PUBLIC_RECORD" if rng.random() < 0.7 else "DECLARED"
        net.tie("LOCATED_IN", org_key, municipality_key, confidence=1.0, evidence=evidence)
    net.tie("LOCATED_IN", OUR_COMPANY.key, OUR_COMPANY.municipality, confidence=1.0)


def add_boards_and_politics(net: Network) -> None:
    """Boards (BOARD_MEMBER_OF), councils and committees (MEMBER_OF), chairs' influence."""
    rng = net.rng
    for company in COMPANIES:
        for name, role, decision in company.board:
            key = person_key(name)
            if decision == "DECISION_MAKER":
                net.decision_makers.add(key)
            net.tie(
                "BOARD_MEMBER_OF",
                key,
                company.key,
                role=role,
                decisionRole=decision,
                strength=round2(rng.uniform(0.6, 0.9)) if rng.random() < 0.7 else None,
                since=month_start(rng, 2015, 2024),
                confidence=1.0,
                evidence="PUBLIC_RECORD",
            )
    for politician in POLITICIANS:
        key = person_key(politician.name)
        elected = month_start(rng, 2017, 2021)
        for body, role in politician.memberships:
            net.tie("MEMBER_OF", key, body, role=role, since=elected, evidence="PUBLIC_RECORD")
        if politician.influences:
            net.tie(
                "INFLUENCES",
                key,
                person_key(politician.influences),
                strength=round2(rng.uniform(0.55, 0.8)),
                confidence=0.7,
                evidence="OBSERVED",
            )
    for mayor, council in MAYOR_SEATS.items():
        net.tie(
            "MEMBER_OF", person_key(mayor), council, role="Borgmester", since="2022-01-01",
            evidence="PUBLIC_RECORD",
        )  # fmt: skip
    # The broker's former job (scenario 3): the tie has ended, so it is history, not a bridge.
    net.tie(
        "WORKS_FOR",
        "p-niels-krogh",
        "m-vejle",
        role="kommunaldirektør",
        department="Direktionen",
        since="2014-02-01",
        until="2023-06-30",
        confidence=1.0,
        evidence="PUBLIC_RECORD",
    )


def add_hand_written_ties(net: Network) -> None:
    rng = net.rng
    for kind, a, b, strength, extra in PERSON_TIES:
        fields: dict[str, object] = {
            "strength": strength,
            "since": month_start(rng, 2010, 2023),
            "confidence": round2(rng.uniform(0.6, 0.95)),
            "evidence": "DECLARED",
        }
        fields.update(extra)
        if kind == "RELATIONSHIP_OWNER":
            fields["since"] = month_start(rng, 2021, 2024)
            fields["confidence"] = 1.0
        net.tie(kind, person_key(a), person_key(b), **fields)
    for owner, org in ACCOUNT_OWNERS:
        net.tie(
            "RELATIONSHIP_OWNER",
            person_key(owner),
            org,
            role="Account owner",
            since=month_start(rng, 2020, 2024),
            confidence=1.0,
        )
    for kind, source, target, org_extra in ORG_TIES:
        org_fields: dict[str, object] = {"confidence": 0.9, "evidence": "DECLARED"}
        org_fields.update(org_extra)
        net.tie(kind, source, target, **org_fields)


def add_acquaintance(net: Network) -> None:
    """KNOWS ties: juniors with many social ties, then a power-law-ish random layer.

    Ties stay inside a zone, so the scenario zones (Vestkyst Vand, Vejle Kommune) keep their
    single bridges; decision makers of the organisations of interest get no random ties.
    """
    rng = net.rng
    people = [str(r["key"]) for r in net.stakeholders if r["kind"] == "PERSON"]
    protected = {k for k in net.decision_makers if net.employer.get(k) in ORGS_OF_INTEREST}
    protected |= {"p-maria-lauridsen", "p-niels-krogh", "p-poul-iversen"}

    def knows(a: str, b: str, context: str | None, strength: float | None, evidence: str) -> None:
        net.tie(
            "KNOWS",
            a,
            b,
            context=context,
            strength=strength,
            since=month_start(rng, 2012, 2025) if strength is not None else None,
            confidence=round2(rng.uniform(0.5, 0.9)),
            evidence=evidence,
        )

    # Juniors: the most "connected" people on paper, yet none of them decides anything.
    juniors = sorted(net.juniors)
    for junior in juniors:
        zone = net.zone[junior]
        current = sum(1 for a, b, k in net.triples if k == "KNOWS" and junior in (a, b))
        candidates = [
            p
            for p in people
            if p != junior
            and net.zone[p] == zone
            and p not in net.decision_makers
            and not net.linked(junior, p, ("KNOWS", "FAMILY"))
        ]
        # Prefer colleagues and other juniors, then anyone in the zone.
        candidates.sort(
            key=lambda p: (
                0 if p in net.juniors or net.employer.get(p) == net.juniors[junior] else 1,
                rng.random(),
            )
        )
        if zone == "vestkyst":
            candidates.append("p-maria-lauridsen")
        if zone == "vejle":
            candidates.append("p-niels-krogh")
        for other in candidates:
            if current >= JUNIOR_KNOWS + (1 if rng.random() < 0.5 else 0):
                break
            if net.linked(junior, other, ("KNOWS", "FAMILY")):
                continue
            strength = round2(rng.uniform(0.35, 0.75)) if rng.random() < 0.8 else None
            knows(junior, other, "social", strength, rng.choice(("OBSERVED", "INFERRED")))
            current += 1

    # A random layer in the main zone, with a few hubs.
    pool = [
        p for p in people if net.zone[p] == "main" and p not in protected and p not in net.juniors
    ]
    weights = [SOCIAL_HUBS.get(str(net.by_key[p]["name"]), 1.0) for p in pool]
    alumni = {s for s, t, k in net.triples if k == "MEMBER_OF" and t == "o-ingenioerakademi"}
    added = 0
    while added < RANDOM_KNOWS:
        a, b = rng.choices(pool, weights=weights, k=2)
        if a == b or net.linked(a, b, ("KNOWS", "FAMILY")):
            continue
        if net.employer.get(a) == net.employer.get(b) and a in net.employer:
            context: str | None = "colleague"
        elif a in alumni and b in alumni:
            context = "alumni"
        else:
            context = rng.choice(("social", "social", "former colleague", "alumni", None))
        strength = round2(rng.uniform(0.3, 0.85)) if rng.random() < 0.85 else None
        knows(a, b, context, strength, rng.choice(("OBSERVED", "DECLARED", "INFERRED")))
        added += 1


def add_interactions(net: Network) -> None:
    """Interactions over the last two years, mostly our people with theirs."""
    rng = net.rng
    drafts: list[dict[str, object]] = []

    def draft(
        when: datetime,
        kind: str,
        participants: list[str],
        sentiment: float,
        subject: str,
        summary: str | None,
        outcome: str | None,
    ) -> None:
        row: dict[str, object] = {
            "kind": kind,
            "occurredAt": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "participants": participants,
            "sentiment": round2(max(-1.0, min(1.0, sentiment))),
            "subject": subject,
        }
        if summary:
            row["summary"] = summary
        if outcome:
            row["outcome"] = outcome
        drafts.append(row)

    for engagement in ENGAGEMENTS:
        span = (engagement.end - engagement.start).days
        kinds = [k for k, _ in engagement.kinds]
        kind_weights = [w for _, w in engagement.kinds]
        for _ in range(engagement.count):
            day = working_day(engagement.start + timedelta(days=rng.randint(0, span)))
            theirs_pool = [
                p for p in engagement.theirs
                if day <= engagement.last_contact.get(p, LAST_DAY)
            ]  # fmt: skip
            kind = rng.choices(kinds, weights=kind_weights)[0]
            ours = [person_key(rng.choice(engagement.ours))]
            theirs = [person_key(rng.choice(theirs_pool))]
            if kind in ("MEETING", "NEGOTIATION", "SITE_VISIT") and rng.random() < 0.5:
                ours.append(person_key(rng.choice(engagement.ours)))
                theirs.append(person_key(rng.choice(theirs_pool)))
            participants = list(dict.fromkeys(ours + theirs))
            subject, summary, outcome = rng.choice(engagement.topics)
            mood = engagement.mood + rng.gauss(0.0, 0.25) - (0.15 if kind == "NEGOTIATION" else 0)
            hour = rng.choice((8, 9, 9, 10, 10, 11, 13, 13, 14, 15))
            minute = rng.choice((0, 0, 0, 30))
            draft(
                datetime(day.year, day.month, day.day, hour, minute),
                kind,
                participants,
                mood,
                subject,
                summary if rng.random() < 0.6 else None,
                outcome if rng.random() < 0.45 else None,
            )
    for day, subject, ours_names, theirs_names, sentiment in EVENTS:
        draft(
            datetime(day.year, day.month, day.day, 8, 30),
            "EVENT",
            [person_key(n) for n in (*ours_names, *theirs_names)],
            sentiment,
            subject,
            None,
            None,
        )
    for (
        day,
        hour,
        kind,
        ours_names,
        theirs_names,
        sentiment,
        subject,
        note,
        result,
    ) in FIXED_INTERACTIONS:
        draft(
            datetime(day.year, day.month, day.day, hour, 0),
            kind,
            [person_key(n) for n in (*ours_names, *theirs_names)],
            sentiment,
            subject,
            note,
            result,
        )
    drafts.sort(key=lambda r: (str(r["occurredAt"]), str(r["subject"])))
    for index, row in enumerate(drafts, start=1):
        net.interactions.append({"key": f"i-{index:04d}", **row})


# --------------------------------------------------------------------------------------------
# Self-checks of the scenarios (stdlib only; the unit tests check them again with networkx)
# --------------------------------------------------------------------------------------------

PERSON_TIE_KINDS = {"KNOWS", "FAMILY", "REPORTS_TO", "ADVISES", "INFLUENCES", "RELATIONSHIP_OWNER"}


def person_graph(net: Network) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {
        str(r["key"]): set() for r in net.stakeholders if r["kind"] == "PERSON"
    }
    for tie in net.ties:
        source, target = str(tie["source"]), str(tie["target"])
        if tie["kind"] in PERSON_TIE_KINDS and source in graph and target in graph:
            graph[source].add(target)
            graph[target].add(source)
    return graph


def reachable(graph: dict[str, set[str]], start: str, removed: str | None = None) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for other in graph[stack.pop()]:
            if other != removed and other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def check_scenarios(net: Network) -> None:
    graph = person_graph(net)
    internal = {str(r["key"]) for r in net.stakeholders if r["kind"] == "PERSON" and r["internal"]}
    # 1. Single contact.
    assert reachable(graph, "p-henrik-bonde") & internal
    assert not reachable(graph, "p-henrik-bonde", removed="p-maria-lauridsen") & internal
    # 3. Broker.
    vejle = {k for k, z in net.zone.items() if z == "vejle"} - {"p-niels-krogh"}
    fjordbyg = {k for k, e in net.employer.items() if e == "c-fjordbyg"}
    assert reachable(graph, "p-bjarne-hoejer") & fjordbyg
    for person in vejle:
        assert not reachable(graph, person, removed="p-niels-krogh") & fjordbyg
    # No interaction may sneak our people into the isolated zones.
    for row in net.interactions:
        members = cast(list[str], row["participants"])
        zones = {net.zone[p] for p in members if p not in ("p-maria-lauridsen", "p-niels-krogh")}
        assert len(zones) <= 1, row
        if any(p in internal for p in members):
            assert zones <= {"main"}, row


def build() -> dict[str, list[dict[str, object]]]:
    rng = random.Random(SEED)
    net = Network(rng)
    add_organisations(net)
    add_boards_and_politics(net)
    add_hand_written_ties(net)
    add_acquaintance(net)
    add_interactions(net)
    check_scenarios(net)
    return {"stakeholders": net.stakeholders, "ties": net.ties, "interactions": net.interactions}


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the stakenet demo network.")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the JSON")
    args = parser.parse_args()
    document = build()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
    args.output.write_text(text, encoding="utf-8")
    counts = {name: len(rows) for name, rows in document.items()}
    print(f"wrote {args.output}: {counts}")


if __name__ == "__main__":
    main()
