"""Generate the bundled sample data: the fictional Corvane Bay region.

The nine CSV files of the data contract (regions, sectors, institutions,
programs, employers, enrolments, placements, outcomes, demand) are written into
the folder this script lives in, or into ``--out DIR``.  Only the standard
library is used, and every random draw comes from ``random.Random`` seeded from
``SEED`` and the table's name, so two runs write byte-identical files and
changing one table's logic does not reshuffle the others.

``--names zh`` writes the same region with invented Chinese names (bundled in
``zh/`` next to this script): the tables are built exactly as in English and
only the name columns are translated on the way out (``name_columns``), so the
rows, codes and numbers are byte for byte the English ones.

The model, in the order the tables are built
--------------------------------------------
1. **Regions** (``REGIONS``): nine sub-regions of very different size, from the
   metropolitan core (economic weight 8.5) to a remote island county (1.7);
   with the metro's sector mix that gives it about 13x the island's openings.
   Each has a *kind* (metro, suburban, industrial, town, rural, remote) that
   sets its sector mix through ``KIND_SECTOR_AFFINITY``.
2. **Sectors**: the 21 ISIC Rev.4 sections A..U with their official titles.
3. **Programs** (``PROGRAMS``): a catalogue of vocational programs, each mapped
   to one sector, with level "secondary", "higher" or empty (short courses).
   A few started recently (``PROGRAM_FIRST_ENTRY``).  A program lasts three
   years, or one year at an adult training centre: where an adult centre teaches
   a program that other institutions teach in three years, its one-year version
   is a program of its own, "<name> (one-year course)" (codes after the
   catalogue's), so that every program has one ``duration_years``.
4. **Institutions** (``INSTITUTIONS``): hand-written list with region, type and
   focus sectors.  Each offers 5..15 programs drawn from its focus sectors at
   levels its type teaches (at least one per focus sector); catalogue
   programs nobody drew go to the least loaded institution able to teach
   them.  ``WEAK_INSTITUTIONS`` have poor outcomes.
5. **Enrolments**: every offering has yearly entrants (base size by
   institution type x region kind x sector popularity, growing by the sector's
   ``intake_growth``).  Years are calendar years: entrants of year t start in
   its autumn, graduates of year t finish in its summer, and enrolled counts
   the students in school in its spring, before they graduate.  So a program of
   ``duration_years`` D has enrolled(t) = the entrants of t-1 .. t-D still in
   school, and graduates(t) = entrants(t - D) x a completion rate: 0.84-0.93 for
   three-year programs (graduates are roughly a third of enrolled), 0.74-0.90
   for one-year courses (graduates are most of enrolled).  A program's first
   entrants start the autumn before its first enrolled year, so a program whose
   first class started in a data year has a row with entrants only (enrolled
   and graduates 0) for that year.
6. **Demand**: sector openings are *calibrated against supply* so that the
   sector's coverage ratio (graduates / openings) in 2019 equals its
   ``coverage_2019`` target, then follow the sector's demand index over the
   years (ICT grows 10-12 % a year, far faster than its graduates, health
   grows, hospitality dips in 2020-2021, retail declines).
   Openings are shared out across regions mostly by economic weight x sector
   affinity and only partly (``TRAINING_HUB_PULL``) by where the schools are,
   which is what leaves rural counties short.
7. **Employers**: partner enterprises per sector (``employers`` column of the
   sector profile), placed in regions by weight x affinity, with believable
   names, partnership start years and (filled in after placements) capacity.
8. **Placements**: each offering keeps a stable set of partner employers (more
   for bigger intakes), mostly in the program's sector and the institution's
   region.  The final-year
   cohort is spread over the partners active that year; hires follow the
   employer sector's ``hire_rate`` (higher where labour is short).
9. **Outcomes**: graduates of each cohort 2019-2024 are surveyed; destination,
   further study, in-field and self-employment rates depend on institution
   quality, sector, level and the 2020 shock; wages on sector, level, region
   and year.  One program (``WEAK_PROGRAM``) loses its graduates' destinations
   in the last cohorts at every institution that teaches it.

Parameters worth changing are the constants below; the patterns they produce
are listed in README.md next to this file.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

SEED = 20240917

# Data years.  Outcomes lag one year: the 2025 cohort has not been surveyed yet.
YEARS = list(range(2019, 2026))
COHORT_YEARS = list(range(2019, 2025))
# Entrants start three years before the first data year so 2019 already has
# graduates and full three-cohort enrolments.  Entrants of year t start in the
# autumn of t; enrolled(t) is counted in the spring of t and graduates(t) finish
# in its summer, so graduates(t) = entrants(t - duration_years) x completion.
FIRST_ENTRY_YEAR = 2016

# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------


class Region(NamedTuple):
    code: str
    name: str
    kind: str
    weight: float  # relative size of the regional labour market


REGIONS = [
    Region("R01", "Corvane City", "metro", 8.5),
    Region("R02", "Ellery Heights", "suburban", 4.5),
    Region("R03", "Southmoor", "suburban", 4.0),
    Region("R04", "Wexley Vale", "suburban", 2.8),
    Region("R05", "Anvilport", "industrial", 3.2),
    Region("R06", "Tamsbury", "town", 2.0),
    Region("R07", "Hollin County", "rural", 2.2),
    Region("R08", "Greyfell County", "rural", 1.8),
    Region("R09", "Skerrin Isles", "remote", 1.7),
]

# Place names used in employer names, per region (first one = the region's own).
LOCALITIES = {
    "R01": ["Corvane", "Harbourside", "Kingsway", "Old Quay", "Marlow Gate", "Corvane Central"],
    "R02": ["Ellery", "Northbrook", "Ellery Heights", "Hazelmere"],
    "R03": ["Southmoor", "Fernbank", "Linden Cross", "Southmoor Park"],
    "R04": ["Wexley", "Wexley Vale", "Brockholt"],
    "R05": ["Anvilport", "Foundry Lane", "Anvilport Docks", "Smelt Hill"],
    "R06": ["Tamsbury", "Millbeck", "Tamsbury Valley"],
    "R07": ["Hollin", "Hollin Vale", "Oxley Green", "Crookstone"],
    "R08": ["Greyfell", "Cragmere", "Greyfell Moor"],
    "R09": ["Skerrin", "Port Aird", "Skerrin Isles"],
}

# How much of each sector a kind of region has, relative to its size.
# Missing sector = 1.0; 0 = the sector does not exist there (no demand row).
KIND_SECTOR_AFFINITY = {
    "metro": {
        "A": 0.03,
        "B": 0.0,
        "C": 0.55,
        "J": 1.9,
        "K": 1.9,
        "L": 1.5,
        "M": 1.7,
        "N": 1.5,
        "O": 1.3,
        "R": 1.4,
        "I": 1.2,
        "Q": 1.05,
        "H": 0.9,
        "E": 0.7,
        "T": 1.5,
    },
    "suburban": {"A": 0.2, "B": 0.0, "C": 0.9, "F": 1.3, "G": 1.25, "H": 1.2, "P": 1.2, "J": 0.9, "K": 0.8, "M": 0.8, "T": 1.0},
    "industrial": {
        "A": 0.3,
        "B": 1.8,
        "C": 2.4,
        "D": 1.6,
        "E": 1.4,
        "H": 1.5,
        "J": 0.45,
        "K": 0.5,
        "L": 0.6,
        "M": 0.6,
        "N": 0.8,
        "R": 0.6,
        "T": 0.0,
    },
    "town": {"A": 2.0, "B": 0.3, "C": 1.0, "I": 1.3, "J": 0.35, "K": 0.5, "L": 0.7, "M": 0.5, "N": 0.6, "T": 0.0},
    "rural": {
        "A": 6.5,
        "B": 0.9,
        "C": 0.5,
        "D": 0.8,
        "I": 1.2,
        "J": 0.15,
        "K": 0.35,
        "L": 0.5,
        "M": 0.35,
        "N": 0.45,
        "O": 0.8,
        "R": 0.6,
        "T": 0.0,
    },
    "remote": {
        "A": 6.0,
        "B": 0.0,
        "C": 0.3,
        "H": 1.4,
        "I": 1.7,
        "J": 0.1,
        "K": 0.3,
        "L": 0.4,
        "M": 0.3,
        "N": 0.4,
        "R": 0.6,
        "T": 0.0,
    },
}

# Bigger schools in the city, small ones in the countryside.
KIND_SCHOOL_SIZE = {"metro": 1.2, "suburban": 1.0, "industrial": 1.0, "town": 0.8, "rural": 0.55, "remote": 0.5}
# Wage level by kind of region.
KIND_WAGE_FACTOR = {"metro": 1.12, "suburban": 1.03, "industrial": 1.0, "town": 0.92, "rural": 0.86, "remote": 0.88}

# ---------------------------------------------------------------------------
# Sectors
# ---------------------------------------------------------------------------

SECTORS = [
    ("A", "Agriculture, forestry and fishing"),
    ("B", "Mining and quarrying"),
    ("C", "Manufacturing"),
    ("D", "Electricity, gas, steam and air conditioning supply"),
    ("E", "Water supply; sewerage, waste management and remediation activities"),
    ("F", "Construction"),
    ("G", "Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    ("H", "Transportation and storage"),
    ("I", "Accommodation and food service activities"),
    ("J", "Information and communication"),
    ("K", "Financial and insurance activities"),
    ("L", "Real estate activities"),
    ("M", "Professional, scientific and technical activities"),
    ("N", "Administrative and support service activities"),
    ("O", "Public administration and defence; compulsory social security"),
    ("P", "Education"),
    ("Q", "Human health and social work activities"),
    ("R", "Arts, entertainment and recreation"),
    ("S", "Other service activities"),
    (
        "T",
        "Activities of households as employers; undifferentiated goods- and "
        "services-producing activities of households for own use",
    ),
    ("U", "Activities of extraterritorial organizations and bodies"),
]


class SectorProfile(NamedTuple):
    coverage_2019: float  # graduates / openings in 2019, sets the demand scale
    intake_growth: float  # yearly change of program intakes
    popularity: float  # intake size multiplier (students' preference)
    in_field: float  # employed_in_field / employed
    self_employed: float  # self_employed / employed
    hire_rate: float  # hired / students_placed at employers of this sector
    wage: float  # median monthly wage of a new graduate, 2019
    employers: int  # number of partner employers


# Shortage sectors (C, J, Q) get low coverage and high hire rates; business and
# hospitality sectors (I, K, M, N) the opposite.  U has no programs and no data.
SECTOR_PROFILES = {
    #           cov19  intake  popul  infld  self   hire  wage  empl
    "A": SectorProfile(0.55, -0.015, 1.0, 0.62, 0.16, 0.36, 3400, 16),
    "B": SectorProfile(0.80, -0.010, 0.8, 0.70, 0.01, 0.45, 5300, 4),
    "C": SectorProfile(0.60, 0.010, 0.9, 0.74, 0.02, 0.55, 4700, 48),
    "D": SectorProfile(0.90, 0.010, 0.9, 0.78, 0.01, 0.45, 5100, 7),
    "E": SectorProfile(0.90, 0.005, 0.8, 0.70, 0.02, 0.40, 4300, 5),
    "F": SectorProfile(0.85, 0.000, 0.9, 0.68, 0.08, 0.40, 4600, 18),
    "G": SectorProfile(1.00, -0.020, 1.0, 0.55, 0.07, 0.30, 3800, 22),
    "H": SectorProfile(0.85, 0.020, 0.9, 0.64, 0.05, 0.38, 4400, 16),
    "I": SectorProfile(1.65, -0.005, 1.2, 0.60, 0.08, 0.22, 3450, 32),
    "J": SectorProfile(0.66, 0.025, 1.1, 0.72, 0.05, 0.52, 5600, 32),
    "K": SectorProfile(1.45, -0.010, 1.25, 0.50, 0.02, 0.22, 4500, 18),
    "L": SectorProfile(1.10, 0.000, 0.8, 0.52, 0.06, 0.25, 3900, 4),
    "M": SectorProfile(1.15, 0.010, 1.0, 0.50, 0.06, 0.26, 4500, 16),
    "N": SectorProfile(1.60, 0.010, 1.35, 0.44, 0.04, 0.18, 3650, 44),
    "O": SectorProfile(0.80, 0.000, 0.8, 0.60, 0.00, 0.20, 4100, 3),
    "P": SectorProfile(1.00, 0.010, 1.0, 0.72, 0.03, 0.30, 3500, 8),
    "Q": SectorProfile(0.66, 0.035, 1.0, 0.86, 0.02, 0.60, 4200, 40),
    "R": SectorProfile(1.10, 0.000, 0.8, 0.48, 0.12, 0.25, 3500, 5),
    "S": SectorProfile(1.00, 0.000, 0.9, 0.66, 0.22, 0.30, 3300, 8),
    "T": SectorProfile(0.50, 0.020, 0.8, 0.70, 0.10, 0.35, 3500, 0),
}

# Demand index per year (2019 = 1).  Sectors not listed grow 1 % a year.
DEMAND_INDEX = {
    # Digitalisation: ICT openings grow 10-12 % every year, faster than any
    # other sector and much faster than ICT graduates (intakes +2.5 % a year),
    # so the ICT shortage widens every year and in any projection.
    "J": [1.00, 1.10, 1.22, 1.38, 1.52, 1.67, 1.83],
    "Q": [1.00, 1.12, 1.20, 1.28, 1.37, 1.46, 1.55],  # ageing population
    "C": [1.00, 0.94, 1.00, 1.05, 1.08, 1.11, 1.14],  # advanced manufacturing
    "I": [1.00, 0.55, 0.72, 0.95, 1.04, 1.07, 1.09],  # 2020-2021 shock, recovery
    "R": [1.00, 0.70, 0.80, 0.95, 1.00, 1.02, 1.04],  # venues closed 2020-2021
    "G": [1.00, 0.97, 0.95, 0.93, 0.91, 0.89, 0.87],  # retail moves online
    "H": [1.00, 1.05, 1.10, 1.13, 1.16, 1.19, 1.22],  # parcel logistics
    "K": [1.00, 0.99, 0.97, 0.95, 0.94, 0.92, 0.91],  # branch closures
    "A": [1.00, 0.99, 0.98, 0.96, 0.95, 0.94, 0.93],
}
DEFAULT_DEMAND_GROWTH = 0.01
# Share of a sector's openings that follows where its graduates are trained
# rather than the size of the regional economy: employers settle near training
# hubs (hospitals near the health college, software firms near the polytechnic).
TRAINING_HUB_PULL = 0.35
# Openings in a (region, sector) smaller than this are not published.
MIN_OPENINGS = 2
# Employment (stock) per yearly opening, by sector; the rest use the default.
EMPLOYMENT_PER_OPENING = {"A": 22, "C": 16, "G": 12, "I": 9, "J": 11, "Q": 14, "P": 20, "O": 25}
DEFAULT_EMPLOYMENT_PER_OPENING = 15
SHARE_EMPLOYMENT_MISSING = 0.03

# Related sectors a program may also place students with (e.g. ICT students at
# a bank's IT department).  T (domestic services) has no partner employers:
# its students go to home-service agencies (N).
RELATED_SECTORS = {
    "A": ["C"],
    "C": ["D", "H"],
    "F": ["D", "L"],
    "G": ["H", "I"],
    "H": ["G", "C"],
    "I": ["R", "N"],
    "J": ["K", "M", "C"],
    "K": ["G", "N"],
    "M": ["C", "F", "J"],
    "N": ["K", "G", "Q"],
    "Q": ["P", "S"],
    "P": ["Q"],
    "S": ["G"],
    "T": ["N"],
    "L": ["K"],
    "O": ["N"],
    "B": ["C"],
    "D": ["C"],
    "E": ["D"],
    "R": ["I"],
}
SHARE_CROSS_SECTOR_PARTNER = 0.25

# ---------------------------------------------------------------------------
# Programs: (name, sector, level).  Level "" = short course, level not stated.
# ---------------------------------------------------------------------------

PROGRAMS = [
    ("Crop production", "A", "secondary"),
    ("Livestock husbandry", "A", "secondary"),
    ("Horticulture", "A", "secondary"),
    ("Agricultural machinery operation", "A", "secondary"),
    ("Forestry and arboriculture", "A", "secondary"),
    ("Aquaculture and fisheries", "A", "secondary"),
    ("Modern agricultural technology", "A", "higher"),
    ("Agribusiness management", "A", "higher"),
    ("Smart farming technology", "A", "higher"),
    ("Mining technology", "B", "secondary"),
    ("Quarry and drilling operations", "B", ""),
    ("CNC machining", "C", "secondary"),
    ("Welding technology", "C", "secondary"),
    ("Mechatronics", "C", "higher"),
    ("Industrial robotics", "C", "higher"),
    ("Mould and die making", "C", "secondary"),
    ("Electrical equipment assembly", "C", "secondary"),
    ("Automotive manufacturing technology", "C", "higher"),
    ("Food processing technology", "C", "secondary"),
    ("Textile and garment production", "C", "secondary"),
    ("Chemical process technology", "C", "higher"),
    ("Industrial automation", "C", "higher"),
    ("Quality inspection and testing", "C", "higher"),
    ("Additive manufacturing", "C", "higher"),
    ("Polymer and plastics processing", "C", "secondary"),
    ("Precision instrument manufacturing", "C", "higher"),
    ("Furniture making and woodwork", "C", "secondary"),
    ("Printing technology", "C", "secondary"),
    ("Pharmaceutical production", "C", "higher"),
    ("Electronic product assembly", "C", "secondary"),
    ("Sheet metal fabrication", "C", "secondary"),
    ("Forklift and production line operation", "C", ""),
    ("Electrical power systems", "D", "higher"),
    ("Renewable energy technology", "D", "higher"),
    ("Power line installation", "D", "secondary"),
    ("Water treatment technology", "E", "higher"),
    ("Environmental and waste management", "E", "secondary"),
    ("Building construction", "F", "secondary"),
    ("Construction engineering technology", "F", "higher"),
    ("Plumbing and heating", "F", "secondary"),
    ("Electrical installation", "F", "secondary"),
    ("Quantity surveying", "F", "higher"),
    ("Building information modelling", "F", "higher"),
    ("Carpentry and joinery", "F", "secondary"),
    ("Civil engineering technology", "F", "higher"),
    ("Interior decoration", "F", "secondary"),
    ("Retail management", "G", "higher"),
    ("Sales and merchandising", "G", "secondary"),
    ("E-commerce", "G", "higher"),
    ("Motor vehicle repair", "G", "secondary"),
    ("Automotive diagnostics", "G", "higher"),
    ("Purchasing and wholesale trade", "G", "higher"),
    ("Store operations", "G", "secondary"),
    ("Logistics management", "H", "higher"),
    ("Warehouse operations", "H", "secondary"),
    ("Freight forwarding", "H", "higher"),
    ("Heavy goods vehicle driving", "H", ""),
    ("Railway operations", "H", "higher"),
    ("Urban rail transit operations", "H", "higher"),
    ("Port and shipping operations", "H", "higher"),
    ("Aircraft maintenance", "H", "higher"),
    ("Cold chain logistics", "H", "secondary"),
    ("Hotel management", "I", "higher"),
    ("Culinary arts", "I", "secondary"),
    ("Food and beverage service", "I", "secondary"),
    ("Pastry and bakery", "I", "secondary"),
    ("Front office operations", "I", "secondary"),
    ("Catering management", "I", "higher"),
    ("Professional cookery", "I", "secondary"),
    ("Barista and cafe operations", "I", ""),
    ("Hotel housekeeping", "I", "secondary"),
    ("Software development", "J", "higher"),
    ("Computer networking", "J", "higher"),
    ("Cybersecurity", "J", "higher"),
    ("Data analytics", "J", "higher"),
    ("Web development", "J", "secondary"),
    ("Cloud computing", "J", "higher"),
    ("Game development", "J", "higher"),
    ("Digital media production", "J", "higher"),
    ("Mobile app development", "J", "higher"),
    ("IT support technician", "J", "secondary"),
    ("Artificial intelligence applications", "J", "higher"),
    ("Telecommunications technology", "J", "higher"),
    ("Computer applications", "J", "secondary"),
    ("Coding bootcamp", "J", ""),
    ("Accounting", "K", "higher"),
    ("Bookkeeping", "K", "secondary"),
    ("Banking services", "K", "higher"),
    ("Insurance services", "K", "higher"),
    ("Financial management", "K", "higher"),
    ("Financial technology", "K", "higher"),
    ("Property management", "L", "higher"),
    ("Real estate agency", "L", "secondary"),
    ("Architectural design", "M", "higher"),
    ("Engineering drafting", "M", "secondary"),
    ("Laboratory technology", "M", "higher"),
    ("Digital marketing", "M", "higher"),
    ("Graphic design", "M", "higher"),
    ("Veterinary nursing", "M", "secondary"),
    ("Legal assistant", "M", "higher"),
    ("Surveying and mapping", "M", "higher"),
    ("Advertising design", "M", "secondary"),
    ("Environmental testing", "M", "higher"),
    ("Industrial design", "M", "higher"),
    ("Office administration", "N", "secondary"),
    ("Business administration", "N", "higher"),
    ("Human resources administration", "N", "higher"),
    ("Tour guiding and travel services", "N", "higher"),
    ("Security services", "N", "secondary"),
    ("Facility management", "N", "higher"),
    ("Customer service and call centre", "N", "secondary"),
    ("Secretarial studies", "N", "secondary"),
    ("Cleaning and building services", "N", ""),
    ("Event management", "N", "higher"),
    ("Public administration assistant", "O", "higher"),
    ("Early childhood education", "P", "higher"),
    ("Teaching assistant", "P", "secondary"),
    ("Sports coaching", "P", "secondary"),
    ("Nursing", "Q", "higher"),
    ("Nursing assistant", "Q", "secondary"),
    ("Elderly care", "Q", "secondary"),
    ("Pharmacy technician", "Q", "higher"),
    ("Medical laboratory technology", "Q", "higher"),
    ("Rehabilitation therapy", "Q", "higher"),
    ("Dental technician", "Q", "higher"),
    ("Midwifery", "Q", "higher"),
    ("Medical imaging technology", "Q", "higher"),
    ("Social work", "Q", "higher"),
    ("Childcare worker", "Q", "secondary"),
    ("Health management", "Q", "higher"),
    ("Optometry technician", "Q", "higher"),
    ("Home care assistant", "Q", ""),
    ("Performing arts", "R", "secondary"),
    ("Sports and fitness instruction", "R", "secondary"),
    ("Museum and heritage services", "R", "higher"),
    ("Sports management", "R", "higher"),
    ("Hairdressing", "S", "secondary"),
    ("Beauty therapy", "S", "secondary"),
    ("Home appliance repair", "S", "secondary"),
    ("Mobile phone repair", "S", ""),
    ("Domestic and household services", "T", "secondary"),
]

# Programs opened recently: the year their first entrants start (in the autumn;
# they are first enrolled the year after).  All others run throughout.
PROGRAM_FIRST_ENTRY = {
    "Cloud computing": 2018,
    "Artificial intelligence applications": 2020,
    "Financial technology": 2019,
    "Additive manufacturing": 2020,
    "Smart farming technology": 2019,
    "Coding bootcamp": 2019,
    "Health management": 2018,
}
# Name of the one-year version of a program that an adult training centre
# teaches and other institutions teach in three years.
ONE_YEAR_VERSION = "{name} (one-year course)"

# ---------------------------------------------------------------------------
# Institutions: (name, region, type, focus sectors; first focus = main one)
# ---------------------------------------------------------------------------

SECONDARY = "Secondary vocational school"
HIGHER = "Higher vocational college"
TECHNICIAN = "Technician college"
ADULT = "Adult training centre"

# Levels each type teaches, and its programs' length in years (duration_years).
TYPE_LEVELS = {
    SECONDARY: ("secondary", ""),
    HIGHER: ("higher", ""),
    TECHNICIAN: ("secondary", "higher"),
    ADULT: ("", "secondary"),
}
TYPE_PROGRAM_YEARS = {SECONDARY: 3, HIGHER: 3, TECHNICIAN: 3, ADULT: 1}
TYPE_INTAKE = {SECONDARY: 36, HIGHER: 42, TECHNICIAN: 32, ADULT: 28}

INSTITUTIONS = [
    ("Corvane Polytechnic", "R01", HIGHER, "JCMD"),
    ("Corvane Health Sciences College", "R01", HIGHER, "Q"),
    ("Corvane College of Commerce", "R01", HIGHER, "KNGM"),
    ("Corvane Institute of Hospitality and Tourism", "R01", HIGHER, "INR"),
    ("Corvane Technician College", "R01", TECHNICIAN, "CFDG"),
    ("Harbourside Secondary Vocational School", "R01", SECONDARY, "IGNS"),
    ("Corvane Digital Technology School", "R01", SECONDARY, "JM"),
    ("Corvane Nursing and Care School", "R01", SECONDARY, "QPT"),
    ("Kingsway Vocational School", "R01", SECONDARY, "KNG"),
    ("Corvane Arts and Design School", "R01", SECONDARY, "MRJ"),
    ("Corvane Transport and Logistics College", "R01", HIGHER, "HG"),
    ("Corvane Adult Skills Centre", "R01", ADULT, "NJSTQ"),
    ("Corvane Construction Training Centre", "R01", ADULT, "FD"),
    ("Corvane Finance and Business College", "R01", HIGHER, "KNLO"),
    ("Ellery Heights Vocational College", "R02", HIGHER, "JNK"),
    ("Ellery Secondary Vocational School", "R02", SECONDARY, "GIN"),
    ("Ellery Technician College", "R02", TECHNICIAN, "CFH"),
    ("Northbrook Care and Health School", "R02", SECONDARY, "QP"),
    ("Ellery Community Training Centre", "R02", ADULT, "NSI"),
    ("Ellery Business School", "R02", SECONDARY, "KNM"),
    ("Southmoor Polytechnic", "R03", HIGHER, "CJE"),
    ("Southmoor Secondary Vocational School", "R03", SECONDARY, "GIF"),
    ("Southmoor Health and Social Care College", "R03", HIGHER, "QP"),
    ("Southmoor School of Business", "R03", SECONDARY, "NKL"),
    ("Southmoor Adult Education and Training Centre", "R03", ADULT, "NQS"),
    ("Southmoor Technician College", "R03", TECHNICIAN, "CFG"),
    ("Wexley Vale Vocational School", "R04", SECONDARY, "GIN"),
    ("Wexley College of Applied Technology", "R04", HIGHER, "JMC"),
    ("Wexley Adult Training Centre", "R04", ADULT, "NIS"),
    ("Wexley Care Academy", "R04", SECONDARY, "QP"),
    ("Anvilport Technical College", "R05", HIGHER, "CDHE"),
    ("Anvilport Technician College", "R05", TECHNICIAN, "CBF"),
    ("Anvilport Maritime and Logistics School", "R05", SECONDARY, "HC"),
    ("Anvilport Secondary Vocational School", "R05", SECONDARY, "CGNI"),
    ("Anvilport Industrial Training Centre", "R05", ADULT, "CFB"),
    ("Anvilport Nursing School", "R05", SECONDARY, "Q"),
    ("Tamsbury College", "R06", HIGHER, "AIGN"),
    ("Tamsbury Vocational School", "R06", SECONDARY, "CGIF"),
    ("Tamsbury Adult Learning Centre", "R06", ADULT, "NQA"),
    ("Hollin Agricultural College", "R07", SECONDARY, "AI"),
    ("Hollin Vocational School", "R07", SECONDARY, "GQFN"),
    ("Greyfell Rural Skills Centre", "R08", ADULT, "ABQI"),
]

# Institutions with weak outcomes (1-based position in INSTITUTIONS -> INSnnn).
WEAK_INSTITUTIONS = {"INS019", "INS034"}
PROGRAMS_PER_INSTITUTION = (5, 15)

# ---------------------------------------------------------------------------
# Outcomes and placements
# ---------------------------------------------------------------------------

SURVEY_RESPONSE = (0.85, 0.95)  # surveyed / graduates
NOT_REACHED = (0.0, 0.04)  # surveyed but destination unknown
DESTINATION_TYPICAL = (0.87, 0.95)
DESTINATION_WEAK = (0.60, 0.66)
WEAK_IN_FIELD_FACTOR = 0.6
# A program whose graduates stop finding their way: banks close branches (K
# demand falls) and the banking-services graduates of the last cohorts, at both
# colleges that teach it, mostly end up unemployed, or in jobs outside banking.
# Destination rate per cohort (before the same small noise as everyone's);
# earlier cohorts are like any other program's.
WEAK_PROGRAM = "Banking services"
WEAK_PROGRAM_DESTINATION = {2022: 0.68, 2023: 0.54, 2024: 0.50}
WEAK_PROGRAM_IN_FIELD_FACTOR = 0.7
SHORTAGE_SECTORS = "CJQ"
OVERSUPPLY_SECTORS = "IKMN"
# Share of secured destinations that is further study, by program level.
FURTHER_STUDY_SHARE = {"secondary": 0.30, "higher": 0.08, "": 0.03}
LEVEL_WAGE_FACTOR = {"secondary": 0.92, "higher": 1.15, "": 0.95}
WAGE_GROWTH = 0.03
SHARE_WAGE_MISSING = 0.03
MIN_EMPLOYED_FOR_WAGE = 5  # small cells are suppressed

PLACEMENT_RATE = (0.6, 0.95)  # share of the final-year cohort placed
PLACEMENT_RATE_WEAK = 0.45
ADULT_PLACEMENT_SHARE = 0.4  # short courses place fewer trainees
# Hospitality and recreation hosts closed during the 2020-2021 shock.
SHOCK_PLACEMENT_FACTOR = {2020: 0.4, 2021: 0.7}
SHOCK_SECTORS = "IR"
SHOCK_HIRE_FACTOR = 0.5
# Employers hire fewer students from the weak institutions.
WEAK_HIRE_FACTOR = 0.6
# Partners per offering: about one per STUDENTS_PER_PARTNER students of the
# first intake, plus up to two more, at most MAX_PARTNERS.
STUDENTS_PER_PARTNER = 14
MAX_PARTNERS = 8
SAME_REGION_PREFERENCE = 8.0

SHARE_PARTNER_SINCE_MISSING = 0.05
SHARE_CAPACITY_MISSING = 0.10
SHARE_OVER_CAPACITY = 0.12

SURNAMES = [
    "Ashby",
    "Bramley",
    "Carver",
    "Denholm",
    "Ellison",
    "Fairweather",
    "Garrick",
    "Holloway",
    "Ingram",
    "Jessop",
    "Kendrick",
    "Langley",
    "Marsden",
    "Norbury",
    "Oakes",
    "Pemberton",
    "Quinlan",
    "Radcliffe",
    "Sutton",
    "Thornley",
    "Underwood",
    "Whitlock",
    "Yardley",
    "Barrow",
    "Coleman",
    "Dunmore",
    "Everett",
    "Fenwick",
    "Griffin",
    "Hartley",
    "Lockwood",
    "Mercer",
    "Prescott",
    "Rowntree",
]

# {place} = a locality of the employer's region, {surname} = a family name.
EMPLOYER_NAME_TEMPLATES = {
    "A": [
        "{place} Dairy Cooperative",
        "{surname} Family Farms",
        "{place} Orchards Ltd",
        "{place} Forestry Services",
        "{place} Fish Farm",
        "{surname} & Sons Market Gardens",
        "{place} Seed and Grain Cooperative",
        "{place} Agritech Ltd",
    ],
    "B": ["{place} Quarry Company", "{place} Aggregates Ltd", "{surname} Stone and Gravel"],
    "C": [
        "{place} Precision Parts Ltd",
        "{surname} Engineering Works",
        "{place} Robotics Ltd",
        "{place} Food Processing Co.",
        "{place} Steel Fabrications",
        "{surname} Electronics",
        "{place} Automotive Components",
        "{place} Plastics Moulding Ltd",
        "{surname} Pharmaceuticals",
        "{place} Textile Mills",
        "{place} Furniture Works",
        "{place} Printing Press",
        "{surname} Instruments Ltd",
        "{place} Machine Tools",
        "{surname} Chemicals Ltd",
        "{place} Bakeries Manufacturing",
    ],
    "D": [
        "{place} Power Networks",
        "{place} Wind Energy Ltd",
        "{place} Solar Farms",
        "{place} Gas Distribution",
        "{surname} Energy Services",
    ],
    "E": ["{place} Water Services", "{place} Recycling Centre", "{surname} Environmental Services"],
    "F": [
        "{surname} Construction Ltd",
        "{place} Builders",
        "{surname} & {surname2} Contractors",
        "{place} Civil Engineering",
        "{place} Roofing and Plumbing",
        "{surname} Electrical Contractors",
        "{place} Homes Developments",
    ],
    "G": [
        "{place} Supermarket",
        "{surname}'s Department Store",
        "{place} Motor Centre",
        "{place} Wholesale Market",
        "{surname} Auto Repairs",
        "{place} Retail Park Stores",
        "{place} Online Marketplace Ltd",
        "{surname} Trading Company",
    ],
    "H": [
        "{place} Logistics Ltd",
        "{place} Freight Services",
        "{place} Bus Company",
        "{place} Port Authority",
        "{surname} Haulage",
        "{place} Courier Services",
        "{place} Rail Depot",
        "{place} Cold Storage",
        "{place} Ferry Company",
    ],
    "I": [
        "{place} Grand Hotel",
        "The {place} Inn",
        "{surname}'s Restaurant",
        "{place} Conference Hotel",
        "{place} Catering Services",
        "{place} Bakery and Cafe",
        "{place} Holiday Park",
        "{place} Bistro",
        "{surname} Hotels Group",
    ],
    "J": [
        "{place} Software Ltd",
        "{surname} Digital",
        "{place} Data Systems",
        "{place} Telecom",
        "{place} Cloud Services",
        "{place} Games Studio",
        "{place} Media Productions",
        "{surname} Cybersecurity",
        "{surname} Web Solutions",
    ],
    "K": [
        "{place} Savings Bank",
        "{place} Building Society",
        "{surname} Insurance Group",
        "{place} Credit Union",
        "{place} Finance Ltd",
        "{place} Mutual Assurance",
        "{surname} Payments Ltd",
    ],
    "L": ["{place} Property Management", "{surname} Estate Agents", "{place} Housing Association"],
    "M": [
        "{surname} Architects",
        "{surname} & {surname2} Accountants",
        "{place} Design Studio",
        "{place} Testing Laboratories",
        "{surname} Legal Services",
        "{place} Surveyors",
        "{place} Veterinary Clinic",
        "{place} Marketing Agency",
        "{surname} Engineering Consultants",
    ],
    "N": [
        "{place} Business Services",
        "{place} Staffing Agency",
        "{place} Facility Services",
        "{place} Security Ltd",
        "{place} Contact Centre",
        "{place} Travel Agency",
        "{place} Home Services Agency",
        "{place} Cleaning Services",
        "{place} Events Ltd",
    ],
    "O": ["{place} Council", "{place} Tax Office", "{place} Civic Services Department"],
    "P": ["{place} Primary School", "{place} Kindergarten", "{place} Early Years Centre", "{place} Learning Centre"],
    "Q": [
        "{place} General Hospital",
        "{place} Community Health Centre",
        "{surname} Care Home",
        "{place} Rehabilitation Clinic",
        "{place} Dental Practice",
        "{place} Pharmacy",
        "{place} Children's Hospital",
        "{place} Medical Laboratory",
        "{place} Senior Living",
        "{place} Family Support Services",
        "{surname} House Nursing Home",
    ],
    "R": ["{place} Leisure Centre", "{place} Theatre", "{place} Museum", "{place} Sports Club"],
    "S": ["{surname} Hair and Beauty", "{place} Salon", "{place} Appliance Repairs", "{place} Phone Repair Shop"],
}

# ---------------------------------------------------------------------------
# Chinese names (--names zh)
# ---------------------------------------------------------------------------
# The same region with invented Chinese names: every table is built exactly as
# above (with the English names, which some rules and the employer ids depend
# on) and only the name columns are written in Chinese, so the files differ
# from the English ones in region_name, sector_name, institution_name,
# institution_type, program_name and employer_name and nowhere else.

REGION_NAMES_ZH = {
    "R01": "科尔文湾市",
    "R02": "北岗区",
    "R03": "南泽区",
    "R04": "清溪区",
    "R05": "铁港区",
    "R06": "檀川县",
    "R07": "冬青县",
    "R08": "苍岭县",
    "R09": "礁屿县",
}

# The ISIC Rev.4 sections by the names of the matching sections (门类) of China's
# Industrial classification for national economic activities (GB/T 4754-2017).
# D and E have no section of their own there (electricity, gas and water are one
# section): their names are made of GB/T 4754's divisions.  T has no counterpart:
# its name is that of the Chinese edition of ISIC Rev.4.
SECTOR_NAMES_ZH = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气生产和供应业",
    "E": "水生产和供应、污水处理及废物管理业",
    "F": "建筑业",
    "G": "批发和零售业",
    "H": "交通运输、仓储和邮政业",
    "I": "住宿和餐饮业",
    "J": "信息传输、软件和信息技术服务业",
    "K": "金融业",
    "L": "房地产业",
    "M": "科学研究和技术服务业",
    "N": "租赁和商务服务业",
    "O": "公共管理、社会保障和社会组织",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "居民服务、修理和其他服务业",
    "T": "家庭作为雇主的活动；家庭自用、未加区分的物品生产和服务活动",
    "U": "国际组织",
}

INSTITUTION_TYPES_ZH = {
    SECONDARY: "中职学校",
    HIGHER: "高职院校",
    TECHNICIAN: "技工院校",
    ADULT: "成人培训中心",
}

INSTITUTION_NAMES_ZH = {
    "Corvane Polytechnic": "科尔文湾职业技术学院",
    "Corvane Health Sciences College": "科尔文湾卫生职业学院",
    "Corvane College of Commerce": "科尔文湾商贸职业学院",
    "Corvane Institute of Hospitality and Tourism": "科尔文湾旅游职业学院",
    "Corvane Technician College": "科尔文湾技师学院",
    "Harbourside Secondary Vocational School": "科尔文湾市滨港中等职业学校",
    "Corvane Digital Technology School": "科尔文湾市信息技术中等专业学校",
    "Corvane Nursing and Care School": "科尔文湾卫生学校",
    "Kingsway Vocational School": "科尔文湾市御街职业高级中学",
    "Corvane Arts and Design School": "科尔文湾工艺美术学校",
    "Corvane Transport and Logistics College": "科尔文湾交通职业技术学院",
    "Corvane Adult Skills Centre": "科尔文湾市职业技能培训中心",
    "Corvane Construction Training Centre": "科尔文湾市建筑技能培训中心",
    "Corvane Finance and Business College": "科尔文湾财经职业学院",
    "Ellery Heights Vocational College": "北岗职业技术学院",
    "Ellery Secondary Vocational School": "北岗区中等职业学校",
    "Ellery Technician College": "北岗技师学院",
    "Northbrook Care and Health School": "北溪护理中等专业学校",
    "Ellery Community Training Centre": "北岗区社区教育培训中心",
    "Ellery Business School": "北岗商贸中等专业学校",
    "Southmoor Polytechnic": "南泽职业技术学院",
    "Southmoor Secondary Vocational School": "南泽区中等职业学校",
    "Southmoor Health and Social Care College": "南泽护理职业学院",
    "Southmoor School of Business": "南泽财经商贸学校",
    "Southmoor Adult Education and Training Centre": "南泽区成人教育培训中心",
    "Southmoor Technician College": "南泽技师学院",
    "Wexley Vale Vocational School": "清溪区职业学校",
    "Wexley College of Applied Technology": "清溪应用技术职业学院",
    "Wexley Adult Training Centre": "清溪区成人培训中心",
    "Wexley Care Academy": "清溪卫生职业学校",
    "Anvilport Technical College": "铁港工业职业技术学院",
    "Anvilport Technician College": "铁港技师学院",
    "Anvilport Maritime and Logistics School": "铁港航运物流中等专业学校",
    "Anvilport Secondary Vocational School": "铁港区中等职业学校",
    "Anvilport Industrial Training Centre": "铁港工业技能培训中心",
    "Anvilport Nursing School": "铁港卫生学校",
    "Tamsbury College": "檀川职业学院",
    "Tamsbury Vocational School": "檀川县职业教育中心",
    "Tamsbury Adult Learning Centre": "檀川县成人文化技术学校",
    "Hollin Agricultural College": "冬青农业学校",
    "Hollin Vocational School": "冬青县职业中学",
    "Greyfell Rural Skills Centre": "苍岭县农村实用技能培训中心",
}

# Program names in the style of China's catalogue of vocational-education
# programs (职业教育专业目录): secondary programs as secondary schools name them,
# higher ones as higher vocational colleges do.
PROGRAM_NAMES_ZH = {
    "Crop production": "现代农艺技术",
    "Livestock husbandry": "畜禽生产技术",
    "Horticulture": "园艺技术",
    "Agricultural machinery operation": "农业机械使用与维护",
    "Forestry and arboriculture": "林业生产技术",
    "Aquaculture and fisheries": "水产养殖技术",
    "Modern agricultural technology": "现代农业技术",
    "Agribusiness management": "农业经济管理",
    "Smart farming technology": "智慧农业技术",
    "Mining technology": "矿山开采技术",
    "Quarry and drilling operations": "采石与钻探作业",
    "CNC machining": "数控技术应用",
    "Welding technology": "焊接技术应用",
    "Mechatronics": "机电一体化技术",
    "Industrial robotics": "工业机器人技术",
    "Mould and die making": "模具制造技术",
    "Electrical equipment assembly": "电气设备安装与调试",
    "Automotive manufacturing technology": "汽车制造与试验技术",
    "Food processing technology": "食品加工工艺",
    "Textile and garment production": "服装制作与生产管理",
    "Chemical process technology": "应用化工技术",
    "Industrial automation": "电气自动化技术",
    "Quality inspection and testing": "工业产品质量检测技术",
    "Additive manufacturing": "增材制造技术",
    "Polymer and plastics processing": "高分子材料加工工艺",
    "Precision instrument manufacturing": "精密仪器制造技术",
    "Furniture making and woodwork": "家具设计与制作",
    "Printing technology": "印刷技术",
    "Pharmaceutical production": "药品生产技术",
    "Electronic product assembly": "电子产品装配与调试",
    "Sheet metal fabrication": "钣金加工技术",
    "Forklift and production line operation": "叉车与生产线操作",
    "Electrical power systems": "电力系统自动化技术",
    "Renewable energy technology": "新能源发电工程技术",
    "Power line installation": "输配电线路施工与运行",
    "Water treatment technology": "水净化与安全技术",
    "Environmental and waste management": "环境治理技术",
    "Building construction": "建筑工程施工",
    "Construction engineering technology": "建筑工程技术",
    "Plumbing and heating": "给排水工程施工与运行",
    "Electrical installation": "建筑电气设备安装",
    "Quantity surveying": "工程造价",
    "Building information modelling": "建筑信息模型技术",
    "Carpentry and joinery": "建筑木工",
    "Civil engineering technology": "道路与桥梁工程技术",
    "Interior decoration": "建筑装饰技术",
    "Retail management": "连锁经营与管理",
    "Sales and merchandising": "市场营销",
    "E-commerce": "电子商务",
    "Motor vehicle repair": "汽车运用与维修",
    "Automotive diagnostics": "汽车检测与维修技术",
    "Purchasing and wholesale trade": "采购与供应管理",
    "Store operations": "商品经营",
    "Logistics management": "现代物流管理",
    "Warehouse operations": "物流服务与管理",
    "Freight forwarding": "国际货运代理",
    "Heavy goods vehicle driving": "重型货车驾驶",
    "Railway operations": "铁道交通运营管理",
    "Urban rail transit operations": "城市轨道交通运营管理",
    "Port and shipping operations": "港口与航运管理",
    "Aircraft maintenance": "飞机机电设备维修",
    "Cold chain logistics": "冷链物流服务与管理",
    "Hotel management": "酒店管理与数字化运营",
    "Culinary arts": "中餐烹饪",
    "Food and beverage service": "餐饮服务与管理",
    "Pastry and bakery": "中西面点",
    "Front office operations": "高星级饭店运营与管理",
    "Catering management": "餐饮智能管理",
    "Professional cookery": "西餐烹饪",
    "Barista and cafe operations": "咖啡制作与门店运营",
    "Hotel housekeeping": "客房服务与管理",
    "Software development": "软件技术",
    "Computer networking": "计算机网络技术",
    "Cybersecurity": "信息安全技术应用",
    "Data analytics": "大数据技术",
    "Web development": "网站建设与管理",
    "Cloud computing": "云计算技术应用",
    "Game development": "游戏设计与开发",
    "Digital media production": "数字媒体技术",
    "Mobile app development": "移动应用开发",
    "IT support technician": "计算机与数码设备维修",
    "Artificial intelligence applications": "人工智能技术应用",
    "Telecommunications technology": "现代通信技术",
    "Computer applications": "计算机应用",
    "Coding bootcamp": "编程开发速成培训",
    "Accounting": "大数据与会计",
    "Bookkeeping": "会计事务",
    "Banking services": "金融服务与管理",
    "Insurance services": "保险实务",
    "Financial management": "大数据与财务管理",
    "Financial technology": "金融科技应用",
    "Property management": "现代物业管理",
    "Real estate agency": "房地产营销",
    "Architectural design": "建筑设计",
    "Engineering drafting": "机械制图",
    "Laboratory technology": "工业分析技术",
    "Digital marketing": "网络营销与直播电商",
    "Graphic design": "视觉传达设计",
    "Veterinary nursing": "宠物养护与经营",
    "Legal assistant": "法律事务",
    "Surveying and mapping": "工程测量技术",
    "Advertising design": "广告设计与制作",
    "Environmental testing": "环境监测技术",
    "Industrial design": "工业设计",
    "Office administration": "商务助理",
    "Business administration": "工商企业管理",
    "Human resources administration": "人力资源管理",
    "Tour guiding and travel services": "旅游管理",
    "Security services": "安全保卫服务",
    "Facility management": "楼宇设施管理",
    "Customer service and call centre": "客户信息服务",
    "Secretarial studies": "文秘",
    "Cleaning and building services": "保洁与楼宇服务",
    "Event management": "会展策划与管理",
    "Public administration assistant": "行政管理",
    "Early childhood education": "学前教育",
    "Teaching assistant": "教学助理",
    "Sports coaching": "运动训练",
    "Nursing": "护理",
    "Nursing assistant": "护理服务",
    "Elderly care": "智慧健康养老服务",
    "Pharmacy technician": "药学",
    "Medical laboratory technology": "医学检验技术",
    "Rehabilitation therapy": "康复治疗技术",
    "Dental technician": "口腔医学技术",
    "Midwifery": "助产",
    "Medical imaging technology": "医学影像技术",
    "Social work": "社会工作",
    "Childcare worker": "幼儿保育",
    "Health management": "健康管理",
    "Optometry technician": "眼视光技术",
    "Home care assistant": "居家护理",
    "Performing arts": "舞蹈表演",
    "Sports and fitness instruction": "运动健身指导",
    "Museum and heritage services": "文物博物馆服务与管理",
    "Sports management": "体育运营与管理",
    "Hairdressing": "美发与形象设计",
    "Beauty therapy": "美容美体艺术",
    "Home appliance repair": "电子电器应用与维修",
    "Mobile phone repair": "手机维修",
    "Domestic and household services": "家政服务与管理",
}
ONE_YEAR_VERSION_ZH = "{name}（一年制）"

# Place names in employer names, each English one's Chinese counterpart.
LOCALITIES_ZH = {
    "Corvane": "科尔文湾",
    "Harbourside": "滨港",
    "Kingsway": "御街",
    "Old Quay": "老码头",
    "Marlow Gate": "西门",
    "Corvane Central": "湾心",
    "Ellery": "北岗",
    "Northbrook": "北溪",
    "Ellery Heights": "岗顶",
    "Hazelmere": "榛湖",
    "Southmoor": "南泽",
    "Fernbank": "芳堤",
    "Linden Cross": "椴桥",
    "Southmoor Park": "南泽园",
    "Wexley": "清溪",
    "Wexley Vale": "溪谷",
    "Brockholt": "松坡",
    "Anvilport": "铁港",
    "Foundry Lane": "铸造巷",
    "Anvilport Docks": "铁港码头",
    "Smelt Hill": "冶山",
    "Tamsbury": "檀川",
    "Millbeck": "磨溪",
    "Tamsbury Valley": "檀谷",
    "Hollin": "冬青",
    "Hollin Vale": "青谷",
    "Oxley Green": "牛坪",
    "Crookstone": "曲石",
    "Greyfell": "苍岭",
    "Cragmere": "岩湖",
    "Greyfell Moor": "苍原",
    "Skerrin": "礁屿",
    "Port Aird": "澳口",
    "Skerrin Isles": "外礁",
}

# Family names in English employer names become trade names (字号) in Chinese.
SURNAMES_ZH = {
    "Ashby": "安信",
    "Bramley": "博远",
    "Carver": "诚达",
    "Denholm": "鼎和",
    "Ellison": "恒泰",
    "Fairweather": "丰华",
    "Garrick": "广德",
    "Holloway": "华盛",
    "Ingram": "金达",
    "Jessop": "嘉禾",
    "Kendrick": "康瑞",
    "Langley": "隆昌",
    "Marsden": "明辉",
    "Norbury": "宁远",
    "Oakes": "海峰",
    "Pemberton": "鹏程",
    "Quinlan": "启航",
    "Radcliffe": "瑞丰",
    "Sutton": "盛源",
    "Thornley": "天成",
    "Underwood": "万通",
    "Whitlock": "伟业",
    "Yardley": "亚新",
    "Barrow": "宝利",
    "Coleman": "昌盛",
    "Dunmore": "德润",
    "Everett": "益民",
    "Fenwick": "富源",
    "Griffin": "冠达",
    "Hartley": "宏远",
    "Lockwood": "利源",
    "Mercer": "美嘉",
    "Prescott": "普惠",
    "Rowntree": "荣华",
}

# Each English employer name template's Chinese counterpart (same placeholders).
EMPLOYER_NAME_TEMPLATES_ZH = {
    # A
    "{place} Dairy Cooperative": "{place}奶牛养殖专业合作社",
    "{surname} Family Farms": "{surname}家庭农场",
    "{place} Orchards Ltd": "{place}果业有限公司",
    "{place} Forestry Services": "{place}林业服务有限公司",
    "{place} Fish Farm": "{place}水产养殖场",
    "{surname} & Sons Market Gardens": "{surname}蔬菜种植场",
    "{place} Seed and Grain Cooperative": "{place}粮食种植专业合作社",
    "{place} Agritech Ltd": "{place}农业科技有限公司",
    # B
    "{place} Quarry Company": "{place}采石有限公司",
    "{place} Aggregates Ltd": "{place}砂石骨料有限公司",
    "{surname} Stone and Gravel": "{surname}石材有限公司",
    # C
    "{place} Precision Parts Ltd": "{place}精密零部件有限公司",
    "{surname} Engineering Works": "{surname}机械制造有限公司",
    "{place} Robotics Ltd": "{place}机器人科技有限公司",
    "{place} Food Processing Co.": "{place}食品加工有限公司",
    "{place} Steel Fabrications": "{place}钢结构有限公司",
    "{surname} Electronics": "{surname}电子有限公司",
    "{place} Automotive Components": "{place}汽车零部件有限公司",
    "{place} Plastics Moulding Ltd": "{place}塑胶模具有限公司",
    "{surname} Pharmaceuticals": "{surname}制药有限公司",
    "{place} Textile Mills": "{place}纺织有限公司",
    "{place} Furniture Works": "{place}家具有限公司",
    "{place} Printing Press": "{place}印务有限公司",
    "{surname} Instruments Ltd": "{surname}仪器仪表有限公司",
    "{place} Machine Tools": "{place}机床有限公司",
    "{surname} Chemicals Ltd": "{surname}化工有限公司",
    "{place} Bakeries Manufacturing": "{place}烘焙食品有限公司",
    # D
    "{place} Power Networks": "{place}供电有限公司",
    "{place} Wind Energy Ltd": "{place}风电有限公司",
    "{place} Solar Farms": "{place}光伏发电有限公司",
    "{place} Gas Distribution": "{place}燃气有限公司",
    "{surname} Energy Services": "{surname}能源服务有限公司",
    # E
    "{place} Water Services": "{place}水务有限公司",
    "{place} Recycling Centre": "{place}再生资源回收有限公司",
    "{surname} Environmental Services": "{surname}环保科技有限公司",
    # F
    "{surname} Construction Ltd": "{surname}建设有限公司",
    "{place} Builders": "{place}建筑工程有限公司",
    "{surname} & {surname2} Contractors": "{surname}{surname2}建筑安装有限公司",
    "{place} Civil Engineering": "{place}市政工程有限公司",
    "{place} Roofing and Plumbing": "{place}水电安装有限公司",
    "{surname} Electrical Contractors": "{surname}电气工程有限公司",
    "{place} Homes Developments": "{place}住宅建设有限公司",
    # G
    "{place} Supermarket": "{place}超市有限公司",
    "{surname}'s Department Store": "{surname}百货有限公司",
    "{place} Motor Centre": "{place}汽车销售服务有限公司",
    "{place} Wholesale Market": "{place}农产品批发市场有限公司",
    "{surname} Auto Repairs": "{surname}汽车维修有限公司",
    "{place} Retail Park Stores": "{place}购物中心有限公司",
    "{place} Online Marketplace Ltd": "{place}电子商务有限公司",
    "{surname} Trading Company": "{surname}商贸有限公司",
    # H
    "{place} Logistics Ltd": "{place}物流有限公司",
    "{place} Freight Services": "{place}货运代理有限公司",
    "{place} Bus Company": "{place}公共交通有限公司",
    "{place} Port Authority": "{place}港务集团有限公司",
    "{surname} Haulage": "{surname}运输有限公司",
    "{place} Courier Services": "{place}快递有限公司",
    "{place} Rail Depot": "{place}铁路物流中心",
    "{place} Cold Storage": "{place}冷链仓储有限公司",
    "{place} Ferry Company": "{place}轮渡有限公司",
    # I
    "{place} Grand Hotel": "{place}大酒店有限公司",
    "The {place} Inn": "{place}宾馆有限公司",
    "{surname}'s Restaurant": "{surname}餐饮有限公司",
    "{place} Conference Hotel": "{place}国际会议酒店有限公司",
    "{place} Catering Services": "{place}餐饮管理有限公司",
    "{place} Bakery and Cafe": "{place}烘焙咖啡有限公司",
    "{place} Holiday Park": "{place}度假村有限公司",
    "{place} Bistro": "{place}酒楼",
    "{surname} Hotels Group": "{surname}酒店集团有限公司",
    # J
    "{place} Software Ltd": "{place}软件有限公司",
    "{surname} Digital": "{surname}数字科技有限公司",
    "{place} Data Systems": "{place}数据系统有限公司",
    "{place} Telecom": "{place}电信服务有限公司",
    "{place} Cloud Services": "{place}云计算有限公司",
    "{place} Games Studio": "{place}网络游戏有限公司",
    "{place} Media Productions": "{place}文化传媒有限公司",
    "{surname} Cybersecurity": "{surname}网络安全技术有限公司",
    "{surname} Web Solutions": "{surname}网络科技有限公司",
    # K
    "{place} Savings Bank": "{place}农村商业银行",
    "{place} Building Society": "{place}村镇银行",
    "{surname} Insurance Group": "{surname}保险有限公司",
    "{place} Credit Union": "{place}农村信用合作联社",
    "{place} Finance Ltd": "{place}金融服务有限公司",
    "{place} Mutual Assurance": "{place}相互保险社",
    "{surname} Payments Ltd": "{surname}支付科技有限公司",
    # L
    "{place} Property Management": "{place}物业服务有限公司",
    "{surname} Estate Agents": "{surname}房地产经纪有限公司",
    "{place} Housing Association": "{place}住房租赁有限公司",
    # M
    "{surname} Architects": "{surname}建筑设计有限公司",
    "{surname} & {surname2} Accountants": "{surname}{surname2}会计师事务所",
    "{place} Design Studio": "{place}创意设计有限公司",
    "{place} Testing Laboratories": "{place}检测技术有限公司",
    "{surname} Legal Services": "{surname}律师事务所",
    "{place} Surveyors": "{place}测绘有限公司",
    "{place} Veterinary Clinic": "{place}动物医院",
    "{place} Marketing Agency": "{place}营销策划有限公司",
    "{surname} Engineering Consultants": "{surname}工程咨询有限公司",
    # N
    "{place} Business Services": "{place}商务服务有限公司",
    "{place} Staffing Agency": "{place}人力资源有限公司",
    "{place} Facility Services": "{place}设施管理有限公司",
    "{place} Security Ltd": "{place}保安服务有限公司",
    "{place} Contact Centre": "{place}呼叫中心服务有限公司",
    "{place} Travel Agency": "{place}旅行社有限公司",
    "{place} Home Services Agency": "{place}家政服务有限公司",
    "{place} Cleaning Services": "{place}保洁服务有限公司",
    "{place} Events Ltd": "{place}会展服务有限公司",
    # O
    "{place} Council": "{place}街道办事处",
    "{place} Tax Office": "{place}税务分局",
    "{place} Civic Services Department": "{place}政务服务中心",
    # P
    "{place} Primary School": "{place}小学",
    "{place} Kindergarten": "{place}幼儿园",
    "{place} Early Years Centre": "{place}早教中心",
    "{place} Learning Centre": "{place}社区教育中心",
    # Q
    "{place} General Hospital": "{place}人民医院",
    "{place} Community Health Centre": "{place}社区卫生服务中心",
    "{surname} Care Home": "{surname}养老院",
    "{place} Rehabilitation Clinic": "{place}康复医院",
    "{place} Dental Practice": "{place}口腔诊所",
    "{place} Pharmacy": "{place}大药房",
    "{place} Children's Hospital": "{place}儿童医院",
    "{place} Medical Laboratory": "{place}医学检验实验室",
    "{place} Senior Living": "{place}颐养中心",
    "{place} Family Support Services": "{place}社会工作服务中心",
    "{surname} House Nursing Home": "{surname}护理院",
    # R
    "{place} Leisure Centre": "{place}文体中心",
    "{place} Theatre": "{place}大剧院",
    "{place} Museum": "{place}博物馆",
    "{place} Sports Club": "{place}体育俱乐部",
    # S
    "{surname} Hair and Beauty": "{surname}美容美发店",
    "{place} Salon": "{place}发型设计工作室",
    "{place} Appliance Repairs": "{place}家电维修服务部",
    "{place} Phone Repair Shop": "{place}手机维修店",
}

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def table_rng(table: str) -> random.Random:
    """A generator of its own per table, seeded from SEED and the table's name.

    String seeds are hashed with SHA-512 by ``random``, so they do not depend
    on PYTHONHASHSEED and runs are reproducible.
    """
    return random.Random(f"{SEED}:{table}")


def weighted_choice(rng: random.Random, items: list, weights: list[float]):
    """One item drawn with the given weights."""
    return rng.choices(items, weights=weights, k=1)[0]


def binomial(rng: random.Random, n: int, p: float) -> int:
    """Number of successes in n trials of probability p (n is small here)."""
    return sum(1 for _ in range(n) if rng.random() < p)


def split_count(total: int, weights: list[float]) -> list[int]:
    """Split an integer total in proportion to weights (largest remainder)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [math.floor(x) for x in raw]
    remainder = total - sum(parts)
    by_fraction = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in by_fraction[:remainder]:
        parts[i] += 1
    return parts


def demand_index(sector: str, year: int) -> float:
    """Demand of a sector in a year relative to 2019."""
    if sector in DEMAND_INDEX:
        return DEMAND_INDEX[sector][year - YEARS[0]]
    return (1 + DEFAULT_DEMAND_GROWTH) ** (year - YEARS[0])


def affinity(region: Region, sector: str) -> float:
    """How strongly a sector is present in a region, relative to its size."""
    return KIND_SECTOR_AFFINITY[region.kind].get(sector, 1.0)


def format_money(value: float) -> str:
    """Money as a plain number: whole when whole, else one decimal."""
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}"


def write_csv(out_dir: Path, table: str, header: list[str], rows: list[list]) -> None:
    """Write one table as UTF-8 CSV (no BOM, LF newlines, minimal quoting)."""
    with open(out_dir / f"{table}.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row])


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def build_regions() -> list[list]:
    """regions.csv rows."""
    return [[r.code, r.name] for r in REGIONS]


def build_sectors() -> list[list]:
    """sectors.csv rows: the 21 ISIC Rev.4 sections."""
    return [[code, name] for code, name in SECTORS]


def build_programs() -> list[dict]:
    """The program catalogue with codes P001.. in catalogue order."""
    return [
        {
            "program_code": f"P{i:03d}",
            "program_name": name,
            "sector_code": sector,
            "level": level,
            "first_entry": PROGRAM_FIRST_ENTRY.get(name, FIRST_ENTRY_YEAR),
        }
        for i, (name, sector, level) in enumerate(PROGRAMS, start=1)
    ]


def build_institutions() -> list[dict]:
    """Institutions with codes INS001.. in list order."""
    regions = {r.code: r for r in REGIONS}
    return [
        {
            "institution_id": f"INS{i:03d}",
            "institution_name": name,
            "region": regions[code],
            "institution_type": itype,
            "focus": focus,
        }
        for i, (name, code, itype, focus) in enumerate(INSTITUTIONS, start=1)
    ]


def choose_offerings(institutions: list[dict], programs: list[dict]) -> list[tuple[dict, dict]]:
    """Decide which programs each institution offers.

    Programs come from the institution's focus sectors (the main focus weighted
    most) at the levels its type teaches; if the focus is too narrow, related
    programs of other sectors at the right level fill it up to the minimum.
    """
    rng = table_rng("offerings")
    offered: dict[str, list[dict]] = {}
    for inst in institutions:
        levels = TYPE_LEVELS[inst["institution_type"]]
        focus = inst["focus"]
        candidates = [p for p in programs if p["sector_code"] in focus and p["level"] in levels]
        weights = [3.0 if p["sector_code"] == focus[0] else 1.0 for p in candidates]
        low, high = PROGRAMS_PER_INSTITUTION
        wanted = rng.randint(low + 1, high) if len(focus) > 1 else rng.randint(low + 2, 12)
        chosen: list[dict] = []
        # One program in every focus sector first, so a college named for a
        # field really teaches it; then fill up by weight.
        for sector in focus:
            in_sector = [p for p in candidates if p["sector_code"] == sector]
            if in_sector:
                pick = rng.choice(in_sector)
                weights.pop(candidates.index(pick))
                candidates.remove(pick)
                chosen.append(pick)
        while candidates and len(chosen) < wanted:
            pick = weighted_choice(rng, candidates, weights)
            index = candidates.index(pick)
            candidates.pop(index)
            weights.pop(index)
            chosen.append(pick)
        if len(chosen) < low:
            fillers = [p for p in programs if p["level"] in levels and p not in chosen and p["sector_code"] not in "TU"]
            chosen += rng.sample(fillers, low - len(chosen))
        offered[inst["institution_id"]] = chosen
    # A catalogue program that some institution could teach (focus sector and
    # level) is given to the least loaded such institution, so the catalogue
    # has no oddities such as a logistics college without logistics management.
    taught = {p["program_code"] for chosen in offered.values() for p in chosen}
    for program in programs:
        if program["program_code"] in taught:
            continue
        able = [
            inst
            for inst in institutions
            if program["sector_code"] in inst["focus"]
            and program["level"] in TYPE_LEVELS[inst["institution_type"]]
            and len(offered[inst["institution_id"]]) < PROGRAMS_PER_INSTITUTION[1]
        ]
        if able:
            host = min(able, key=lambda i: (len(offered[i["institution_id"]]), i["institution_id"]))
            offered[host["institution_id"]].append(program)
    offerings = []
    for inst in institutions:
        for program in sorted(offered[inst["institution_id"]], key=lambda p: p["program_code"]):
            offerings.append((inst, program))
    return offerings


def split_one_year_courses(offerings: list[tuple[dict, dict]], programs: list[dict]) -> list[tuple[dict, dict]]:
    """Give every program one length, and return the offerings with it.

    A program lasts as long as the institutions teaching it run it: three years,
    one at adult training centres.  Where an adult centre teaches a program that
    other institutions teach in three years, the centre's offering becomes the
    program's one-year version, a program of its own (same sector and level,
    codes after the catalogue's, in catalogue order).  The offerings keep their
    order, so every random draw made from them is the same as without the split.
    ``programs`` gets the new programs and every program its ``duration_years``.
    """
    lengths = defaultdict(set)
    for inst, program in offerings:
        lengths[program["program_code"]].add(TYPE_PROGRAM_YEARS[inst["institution_type"]])
    one_year_versions = {}
    for program in list(programs):
        years = lengths[program["program_code"]]
        if years == {1}:
            program["duration_years"] = 1
            continue
        # Three years where three-year institutions teach it (and for a program
        # taught nowhere, which no adult centre runs either).
        program["duration_years"] = 3
        if 1 in years:
            version = dict(program)
            version["program_code"] = f"P{len(programs) + 1:03d}"
            version["program_name"] = ONE_YEAR_VERSION.format(name=program["program_name"])
            version["one_year_version_of"] = program["program_name"]
            version["duration_years"] = 1
            programs.append(version)
            one_year_versions[program["program_code"]] = version
    split = []
    for inst, program in offerings:
        if TYPE_PROGRAM_YEARS[inst["institution_type"]] != program["duration_years"]:
            program = one_year_versions[program["program_code"]]
        split.append((inst, program))
    return split


def build_entrants(offerings: list[tuple[dict, dict]]) -> dict:
    """Entrants per offering and year of entry, FIRST_ENTRY_YEAR..last data year.

    Entrants of year t start in the autumn of t; the last data year's entrants
    are drawn after everyone else's, so adding them left the earlier draws as
    they were.
    """
    rng = table_rng("intakes")  # the seed's old name, which keeps the draws
    entrants = {}
    bases = []
    for inst, program in offerings:
        profile = SECTOR_PROFILES[program["sector_code"]]
        base = (
            TYPE_INTAKE[inst["institution_type"]]
            * KIND_SCHOOL_SIZE[inst["region"].kind]
            * profile.popularity
            * rng.uniform(0.6, 1.4)
        )
        series = {}
        for year in range(FIRST_ENTRY_YEAR, YEARS[-1]):
            if year < program["first_entry"]:
                series[year] = 0
                continue
            trend = (1 + profile.intake_growth) ** (year - FIRST_ENTRY_YEAR)
            series[year] = max(4, round(base * trend * rng.uniform(0.92, 1.08)))
        key = (inst["institution_id"], program["program_code"])
        entrants[key] = series
        bases.append((key, base, profile))
    last = YEARS[-1]
    for key, base, profile in bases:
        trend = (1 + profile.intake_growth) ** (last - FIRST_ENTRY_YEAR)
        entrants[key][last] = max(4, round(base * trend * rng.uniform(0.92, 1.08)))
    return entrants


def build_enrolments(offerings, entrants) -> dict:
    """Enrolled and graduates per (year, institution, program), from the year a
    program's first entrants are in school.

    Three-year programs: enrolled = the entrants of the three previous autumns
    still in school (minus drop-outs); graduates = the entrants of three years
    earlier times a completion rate.  One-year courses: enrolled = last
    autumn's entrants, most of whom graduate.
    """
    rng = table_rng("enrolments")
    enrolments = {}
    for inst, program in offerings:
        key = (inst["institution_id"], program["program_code"])
        series = entrants[key]
        for year in YEARS:
            if year <= program["first_entry"]:
                continue
            if program["duration_years"] == 1:
                enrolled = series[year - 1]
                graduates = round(enrolled * rng.uniform(0.74, 0.90))
            else:
                enrolled = round(series[year - 1] + series[year - 2] * 0.94 + series[year - 3] * 0.89)
                graduates = round(series[year - 3] * rng.uniform(0.84, 0.93))
            enrolments[(year, *key)] = (enrolled, graduates)
    return enrolments


def enrolment_rows(enrolments, entrants) -> list[list]:
    """enrolments.csv rows: enrolled, graduates and entrants.

    Every row has its year's entrants.  A program's first entrants start the
    autumn before its first enrolled year: where that is a data year, the row
    has entrants only (enrolled and graduates 0).
    """
    rows = {key: [*key, enrolled, graduates, entrants[key[1:]][key[0]]] for key, (enrolled, graduates) in enrolments.items()}
    for (inst, code), series in entrants.items():
        for year in YEARS:
            if (year, inst, code) not in rows and series.get(year, 0) > 0:
                rows[(year, inst, code)] = [year, inst, code, 0, 0, series[year]]
    return [rows[key] for key in sorted(rows)]


def supply_by_region_sector(enrolments, institutions, programs) -> dict:
    """Total graduates per (year, region, sector) and per (year, None, sector)."""
    sector_of = {p["program_code"]: p["sector_code"] for p in programs}
    region_of = {i["institution_id"]: i["region"].code for i in institutions}
    supply = defaultdict(int)
    for (year, inst, code), (_enrolled, graduates) in enrolments.items():
        supply[(year, region_of[inst], sector_of[code])] += graduates
        supply[(year, None, sector_of[code])] += graduates
    return supply


def build_demand(supply) -> list[list]:
    """demand.csv rows: openings and employment per (year, region, sector).

    The 2019 national openings of a sector are set so that coverage equals the
    sector's ``coverage_2019``; later years follow the demand index.  Regions
    get openings mostly by economic weight x sector affinity (with a lasting
    local deviation per pair) and partly where the sector's graduates are
    trained (``TRAINING_HUB_PULL``), plus a little yearly noise.
    """
    rng = table_rng("demand")
    rows = []
    sector_shares = {}
    for sector in SECTOR_PROFILES:
        economy = {r.code: r.weight * affinity(r, sector) * rng.uniform(0.85, 1.15) for r in REGIONS}
        economy_total = sum(economy.values())
        trained_total = supply[(YEARS[0], None, sector)] or 1
        blended = {
            code: 0.0
            if value == 0
            else (1 - TRAINING_HUB_PULL) * value / economy_total
            + TRAINING_HUB_PULL * supply[(YEARS[0], code, sector)] / trained_total
            for code, value in economy.items()
        }
        total = sum(blended.values())
        sector_shares[sector] = {code: value / total for code, value in blended.items()}
    for year in YEARS:
        for region in REGIONS:
            for sector, profile in SECTOR_PROFILES.items():
                base_openings = supply[(YEARS[0], None, sector)] / profile.coverage_2019
                share = sector_shares[sector][region.code]
                if share * base_openings < MIN_OPENINGS:
                    continue  # sector absent or too small to publish here
                openings = round(base_openings * demand_index(sector, year) * share * rng.uniform(0.94, 1.06))
                ratio = EMPLOYMENT_PER_OPENING.get(sector, DEFAULT_EMPLOYMENT_PER_OPENING)
                employment = round(openings * ratio * rng.uniform(0.85, 1.15) / 10) * 10
                if rng.random() < SHARE_EMPLOYMENT_MISSING:
                    employment = None
                rows.append([year, region.code, sector, openings, employment])
    return rows


def employer_name(
    rng: random.Random, sector: str, region: Region, taken: set[str], used_kinds: set[tuple[str, str]]
) -> tuple[str, dict[str, str]]:
    """A believable, unique employer name for a sector and region, and what it is made of
    (template, place, surname, surname2: for the Chinese name, ``employer_name_zh``).

    A kind of business (template) is reused within a region only when the
    sector has run out of fresh ones, so a small island does not get three
    orchards while it has no hotel.
    """
    templates = EMPLOYER_NAME_TEMPLATES[sector]
    fresh = [t for t in templates if (region.code, t) not in used_kinds] or templates
    for _attempt in range(200):
        surname, surname2 = rng.sample(SURNAMES, 2)
        template = rng.choice(fresh)
        parts = {"place": rng.choice(LOCALITIES[region.code]), "surname": surname, "surname2": surname2}
        name = template.format(**parts)
        if name not in taken:
            taken.add(name)
            used_kinds.add((region.code, template))
            return name, {"template": template, **parts}
    raise RuntimeError(f"no free employer name for sector {sector} in {region.code}")


def build_employers() -> list[dict]:
    """Partner employers (capacity is added after placements are known)."""
    rng = table_rng("employers")
    taken: set[str] = set()
    used_kinds: set[tuple[str, str]] = set()
    employers = []
    for sector, profile in SECTOR_PROFILES.items():
        weights = [r.weight * affinity(r, sector) for r in REGIONS]
        for _ in range(profile.employers):
            region = weighted_choice(rng, REGIONS, weights)
            name, name_parts = employer_name(rng, sector, region, taken, used_kinds)
            # Most partnerships are recent: the integration policy took off late.
            since = round(rng.triangular(2005, 2024, 2021))
            if rng.random() < SHARE_PARTNER_SINCE_MISSING:
                since = None
            employers.append(
                {"employer_name": name, "name_parts": name_parts, "sector_code": sector, "region": region, "partner_since": since}
            )
    # Ids follow a stable order (region, sector, name) so the file reads well.
    employers.sort(key=lambda e: (e["region"].code, e["sector_code"], e["employer_name"]))
    for i, employer in enumerate(employers, start=1):
        employer["employer_id"] = f"EMP{i:04d}"
    return employers


def choose_partners(offerings, employers, entrants) -> dict:
    """A stable set of partner employers for each offering.

    Mostly employers of the program's own sector (or, for T, its related
    sector), strongly preferring the institution's region; sometimes one
    partner from a related sector.
    """
    rng = table_rng("partners")
    by_sector = defaultdict(list)
    for employer in employers:
        by_sector[employer["sector_code"]].append(employer)
    partners = {}
    for inst, program in offerings:
        sector = program["sector_code"]
        pool = by_sector[sector] or by_sector[RELATED_SECTORS[sector][0]]
        weights = [SAME_REGION_PREFERENCE if e["region"].code == inst["region"].code else 1.0 for e in pool]
        key = (inst["institution_id"], program["program_code"])
        first_intake = next(n for n in entrants[key].values() if n > 0)
        wanted = min(MAX_PARTNERS, max(1, round(first_intake / STUDENTS_PER_PARTNER)) + rng.randint(0, 2))
        chosen = []
        pool, weights = list(pool), list(weights)
        while pool and len(chosen) < wanted:
            pick = weighted_choice(rng, pool, weights)
            index = pool.index(pick)
            pool.pop(index)
            weights.pop(index)
            chosen.append(pick)
        if rng.random() < SHARE_CROSS_SECTOR_PARTNER:
            related = [e for s in RELATED_SECTORS[sector] for e in by_sector[s] if e not in chosen]
            if related:
                chosen.append(rng.choice(related))
        partners[key] = [(employer, rng.uniform(0.4, 1.6)) for employer in chosen]
    return partners


def build_placements(offerings, enrolments, entrants, partners) -> list[list]:
    """placements.csv rows.

    The final-year cohort (the year's graduates; a share of last autumn's
    entrants for one-year courses) is placed at the offering's partners that
    are active that year, in proportion to fixed partner weights.
    """
    rng = table_rng("placements")
    rows = []
    for inst, program in offerings:
        inst_id, code = inst["institution_id"], program["program_code"]
        is_weak = inst_id in WEAK_INSTITUTIONS
        rate = PLACEMENT_RATE_WEAK if is_weak else rng.uniform(*PLACEMENT_RATE)
        for year in YEARS:
            if (year, inst_id, code) not in enrolments:
                continue
            if program["duration_years"] == 1:
                cohort = entrants[(inst_id, code)][year - 1] * ADULT_PLACEMENT_SHARE
            else:
                cohort = enrolments[(year, inst_id, code)][1]
            to_place = round(cohort * rate * rng.uniform(0.9, 1.1))
            active = [(e, w) for e, w in partners[(inst_id, code)] if e["partner_since"] is None or e["partner_since"] <= year]
            if not active:
                continue
            counts = split_count(to_place, [weight for _e, weight in active])
            for (employer, _w), placed in zip(active, counts):
                if employer["sector_code"] in SHOCK_SECTORS:
                    # Closed venues cancel places; the students are not re-placed.
                    placed = round(placed * SHOCK_PLACEMENT_FACTOR.get(year, 1.0))
                if placed == 0:
                    continue
                hire_rate = SECTOR_PROFILES[employer["sector_code"]].hire_rate
                if is_weak:
                    hire_rate *= WEAK_HIRE_FACTOR
                if employer["sector_code"] in SHOCK_SECTORS and year in SHOCK_PLACEMENT_FACTOR:
                    hire_rate *= SHOCK_HIRE_FACTOR
                hire_rate = min(0.95, hire_rate * rng.uniform(0.8, 1.2))
                hired = binomial(rng, placed, hire_rate)
                rows.append([year, inst_id, code, employer["employer_id"], placed, hired])
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return rows


def assign_capacities(employers, placements) -> None:
    """Set each employer's yearly placement capacity from what it hosts.

    Usually comfortably above its busiest year; for some employers below it
    (they take more students than they declared); for some not stated.
    Employers that host nobody (they share equipment or train staff instead)
    declare 0.
    """
    rng = table_rng("capacity")
    placed_per_year = defaultdict(int)
    for year, _inst, _prog, employer_id, placed, _hired in placements:
        placed_per_year[(employer_id, year)] += placed
    for employer in employers:
        busiest = max((placed_per_year[(employer["employer_id"], y)] for y in YEARS), default=0)
        draw = rng.random()
        if draw < SHARE_CAPACITY_MISSING:
            capacity = None
        elif busiest == 0:
            capacity = 0
        elif draw < SHARE_CAPACITY_MISSING + SHARE_OVER_CAPACITY:
            capacity = max(1, math.floor(busiest * rng.uniform(0.6, 0.9)))
        else:
            capacity = math.ceil(busiest * rng.uniform(1.1, 1.8))
            if capacity > 20:
                capacity = math.ceil(capacity / 5) * 5  # declared in round numbers
        employer["placement_capacity"] = capacity


def build_outcomes(offerings, enrolments) -> list[list]:
    """outcomes.csv rows: graduate destination survey per cohort.

    The destination rate ((employed + further study) / surveyed) is set by
    institution quality, nudged up in shortage sectors and down in oversupplied
    ones, and hit in 2020 (hard in hospitality); ``WEAK_PROGRAM``'s last cohorts
    get theirs from ``WEAK_PROGRAM_DESTINATION``.  Secondary graduates often go
    on to higher vocational study.  In-field and self-employment rates come
    from the sector profile; wages from sector, level, region and year.
    """
    rng = table_rng("outcomes")
    inst_quality = {}
    rows = []
    for inst, program in offerings:
        inst_id, code = inst["institution_id"], program["program_code"]
        sector = program["sector_code"]
        if inst_id not in inst_quality:
            band = DESTINATION_WEAK if inst_id in WEAK_INSTITUTIONS else DESTINATION_TYPICAL
            inst_quality[inst_id] = rng.uniform(*band)
        profile = SECTOR_PROFILES[sector]
        is_weak = inst_id in WEAK_INSTITUTIONS
        for cohort in COHORT_YEARS:
            if (cohort, inst_id, code) not in enrolments:
                continue
            graduates = enrolments[(cohort, inst_id, code)][1]
            surveyed = round(graduates * rng.uniform(*SURVEY_RESPONSE))
            if surveyed == 0:
                continue
            noise = rng.uniform(-0.03, 0.03)
            destination_rate = inst_quality[inst_id] + noise
            if sector in SHORTAGE_SECTORS:
                destination_rate += 0.03
            elif sector in OVERSUPPLY_SECTORS:
                destination_rate -= 0.04
            if cohort == 2020:
                destination_rate -= 0.15 if sector in SHOCK_SECTORS else 0.04
            destination_rate = min(0.99, destination_rate)
            weak_program = program["program_name"] == WEAK_PROGRAM and cohort in WEAK_PROGRAM_DESTINATION
            if weak_program:
                # Set, not nudged, and with no draw of its own (enough stay employed
                # for the wage draw), so no other row moves.
                destination_rate = WEAK_PROGRAM_DESTINATION[cohort] + noise
            reached = surveyed - round(surveyed * rng.uniform(*NOT_REACHED))
            secured = min(reached, round(surveyed * destination_rate))
            further_study = round(secured * FURTHER_STUDY_SHARE[program["level"]] * rng.uniform(0.7, 1.3))
            employed = secured - further_study
            unemployed = reached - secured
            in_field_rate = profile.in_field * (WEAK_IN_FIELD_FACTOR if is_weak else 1.0)
            if weak_program:
                in_field_rate *= WEAK_PROGRAM_IN_FIELD_FACTOR
            employed_in_field = min(employed, round(employed * in_field_rate * rng.uniform(0.9, 1.1)))
            self_employed = min(employed, round(employed * profile.self_employed * rng.uniform(0.5, 1.5)))
            wage = None
            if employed >= MIN_EMPLOYED_FOR_WAGE and rng.random() >= SHARE_WAGE_MISSING:
                wage = (
                    profile.wage
                    * LEVEL_WAGE_FACTOR[program["level"]]
                    * KIND_WAGE_FACTOR[inst["region"].kind]
                    * (1 + WAGE_GROWTH) ** (cohort - COHORT_YEARS[0])
                    * (0.9 if is_weak else 1.0)
                    * rng.uniform(0.94, 1.06)
                )
                # Survey medians are reported to 10; an even count gives a half.
                wage = round(wage / 10) * 10 + (0.5 if rng.random() < 0.12 else 0.0)
                wage = format_money(wage)
            rows.append(
                [cohort, inst_id, code, surveyed, employed, employed_in_field, self_employed, further_study, unemployed, wage]
            )
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return rows


# ---------------------------------------------------------------------------
# Names in the files: English as built, or Chinese (--names zh)
# ---------------------------------------------------------------------------

NAME_LANGUAGES = ("en", "zh")


def program_name_zh(program: dict) -> str:
    """A program's Chinese name; a one-year version is named after its three-year program."""
    if "one_year_version_of" in program:
        return ONE_YEAR_VERSION_ZH.format(name=PROGRAM_NAMES_ZH[program["one_year_version_of"]])
    return PROGRAM_NAMES_ZH[program["program_name"]]


def employer_name_zh(employer: dict) -> str:
    """An employer's Chinese name, made of the Chinese counterparts of its English name's parts."""
    parts = employer["name_parts"]
    return EMPLOYER_NAME_TEMPLATES_ZH[parts["template"]].format(
        place=LOCALITIES_ZH[parts["place"]], surname=SURNAMES_ZH[parts["surname"]], surname2=SURNAMES_ZH[parts["surname2"]]
    )


def name_columns(names: str, institutions: list[dict], programs: list[dict], employers: list[dict]) -> dict[str, dict]:
    """The name columns of every table by code, in the language ``names``: region, sector,
    institution and its type, program and employer names."""
    zh = names == "zh"
    columns = {
        "region": {r.code: REGION_NAMES_ZH[r.code] if zh else r.name for r in REGIONS},
        "sector": {code: SECTOR_NAMES_ZH[code] if zh else name for code, name in SECTORS},
        "institution": {
            i["institution_id"]: INSTITUTION_NAMES_ZH[i["institution_name"]] if zh else i["institution_name"]
            for i in institutions
        },
        "institution_type": {
            i["institution_id"]: INSTITUTION_TYPES_ZH[i["institution_type"]] if zh else i["institution_type"]
            for i in institutions
        },
        "program": {p["program_code"]: program_name_zh(p) if zh else p["program_name"] for p in programs},
        "employer": {e["employer_id"]: employer_name_zh(e) if zh else e["employer_name"] for e in employers},
    }
    for kind in ("region", "sector", "institution", "program", "employer"):
        names_of_kind = list(columns[kind].values())
        if len(set(names_of_kind)) != len(names_of_kind):
            raise RuntimeError(f"two {kind}s have the same name in --names {names}")
    return columns


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def generate(out_dir: Path, names: str = "en") -> dict[str, int]:
    """Build every table and write the nine CSV files with names in ``names`` ("en" or "zh");
    return row counts. The numbers and codes do not depend on ``names``."""
    programs = build_programs()
    institutions = build_institutions()
    offerings = choose_offerings(institutions, programs)
    offerings = split_one_year_courses(offerings, programs)
    entrants = build_entrants(offerings)
    enrolments = build_enrolments(offerings, entrants)
    demand_rows = build_demand(supply_by_region_sector(enrolments, institutions, programs))
    employers = build_employers()
    partners = choose_partners(offerings, employers, entrants)
    placement_rows = build_placements(offerings, enrolments, entrants, partners)
    assign_capacities(employers, placement_rows)
    outcome_rows = build_outcomes(offerings, enrolments)
    named = name_columns(names, institutions, programs, employers)

    tables = {
        "regions": (["region_code", "region_name"], [[code, named["region"][code]] for code, _name in build_regions()]),
        "sectors": (["sector_code", "sector_name"], [[code, named["sector"][code]] for code, _name in build_sectors()]),
        "institutions": (
            ["institution_id", "institution_name", "region_code", "institution_type"],
            [
                [
                    i["institution_id"],
                    named["institution"][i["institution_id"]],
                    i["region"].code,
                    named["institution_type"][i["institution_id"]],
                ]
                for i in institutions
            ],
        ),
        "programs": (
            ["program_code", "program_name", "sector_code", "level", "duration_years"],
            [
                [p["program_code"], named["program"][p["program_code"]], p["sector_code"], p["level"], p["duration_years"]]
                for p in programs
            ],
        ),
        "employers": (
            ["employer_id", "employer_name", "sector_code", "region_code", "partner_since", "placement_capacity"],
            [
                [
                    e["employer_id"],
                    named["employer"][e["employer_id"]],
                    e["sector_code"],
                    e["region"].code,
                    e["partner_since"],
                    e["placement_capacity"],
                ]
                for e in employers
            ],
        ),
        "enrolments": (
            ["year", "institution_id", "program_code", "enrolled", "graduates", "entrants"],
            enrolment_rows(enrolments, entrants),
        ),
        "placements": (["year", "institution_id", "program_code", "employer_id", "students_placed", "hired"], placement_rows),
        "outcomes": (
            [
                "cohort_year",
                "institution_id",
                "program_code",
                "surveyed",
                "employed",
                "employed_in_field",
                "self_employed",
                "further_study",
                "unemployed",
                "median_monthly_wage",
            ],
            outcome_rows,
        ),
        "demand": (["year", "region_code", "sector_code", "openings", "employment"], demand_rows),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, (header, rows) in tables.items():
        write_csv(out_dir, table, header, rows)
    return {table: len(rows) for table, (_header, rows) in tables.items()}


def main() -> None:
    """Command line: ``python sample_data/generate.py [--names en|zh] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--names",
        choices=NAME_LANGUAGES,
        default="en",
        help="language of the region, sector, institution, program and employer names (default: en)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="folder to write the CSV files to (default: this script's folder)",
    )
    args = parser.parse_args()
    counts = generate(args.out, args.names)
    for table, count in counts.items():
        print(f"{table + '.csv':<17} {count:>6} rows")


if __name__ == "__main__":
    main()
