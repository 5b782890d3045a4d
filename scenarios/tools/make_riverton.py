#!/usr/bin/env python3
"""Generates the sample city "Riverton" (scenarios/cities/riverton/) in the CityTwin city format.

Riverton is a fictional mid-size European town of about 60,000 residents, placed around
longitude 9.35, latitude 52.10. The road network is an irregular arterial grid of 6 x 5 signalised
intersections; districts tile a rectangle that covers every feature with a margin. The format is
described in docs/city-format.md.

Usage (from the repository root, Python 3 standard library only):

    python3 scenarios/tools/make_riverton.py

The output is deterministic: the layout comes from random.Random(42) and every file is written in
a fixed order, so running the script twice gives byte-identical files. A self-check runs at the end.
"""

import json
import math
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "cities", "riverton"))

CITY_NAME = "Riverton"
LON0, LAT0 = 9.35, 52.10  # centre of the arterial grid
EARTH_RADIUS_M = 6371008.8
M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT0))

COLS, ROWS = 6, 5  # arterial grid: columns west->east, rows south->north
EDGE_DIST_M = (380.0, 430.0)  # edge-of-model nodes this far outside the grid
MARGIN_X_M, MARGIN_Y_M = 400.0, 220.0  # district rectangle beyond the edge nodes
AMBER_S, ALL_RED_S = 3, 2
DETECTOR_UPSTREAM_M = 40.0

# E-W streets, south to north: (name, arterial)
ROW_STREETS = [
    ("Uferstrasse", True),      # along the river
    ("Bahnhofstrasse", True),
    ("Marktstrasse", False),
    ("Lindenallee", False),
    ("Nordring", True),
]
# N-S streets, west to east: (name, arterial)
COL_STREETS = [
    ("Westring", True),
    ("Muehlenweg", False),
    ("Kirchgasse", False),
    ("Schlossstrasse", True),
    ("Hafenstrasse", False),
    ("Industriestrasse", True),
]

# Old Town: grid columns 2..3, rows 1..2 (the district boundary runs halfway between grid lines).
OLD_COLS, OLD_ROWS = (2, 3), (1, 2)

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
COMPASS = {"N": (0, 1), "S": (0, -1), "E": (1, 0), "W": (-1, 0)}
APPROACH_ORDER = ["N", "E", "S", "W"]


# ----------------------------------------------------------------------------------------------
# geometry helpers (local metres <-> lon/lat)
# ----------------------------------------------------------------------------------------------

def to_lonlat(x, y):
    return [round(LON0 + x / M_PER_DEG_LON, 6), round(LAT0 + y / M_PER_DEG_LAT, 6)]


def to_xy(lonlat):
    return ((lonlat[0] - LON0) * M_PER_DEG_LON, (lonlat[1] - LAT0) * M_PER_DEG_LAT)


def feature(fid, kind, geometry, props):
    properties = {"kind": kind}
    properties.update(props)
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": properties}


def point(x, y):
    return {"type": "Point", "coordinates": to_lonlat(x, y)}


# ----------------------------------------------------------------------------------------------
# layout
# ----------------------------------------------------------------------------------------------

def build():
    rng = random.Random(42)

    # Grid lines with irregular spacing (450..700 m), centred on (0, 0).
    col_x = [0.0]
    for _ in range(COLS - 1):
        col_x.append(col_x[-1] + rng.uniform(450.0, 700.0))
    row_y = [0.0]
    for _ in range(ROWS - 1):
        row_y.append(row_y[-1] + rng.uniform(450.0, 700.0))
    cx = (col_x[0] + col_x[-1]) / 2.0
    cy = (row_y[0] + row_y[-1]) / 2.0
    col_x = [x - cx for x in col_x]
    row_y = [y - cy for y in row_y]

    # Intersections: grid positions jittered so the network is not a perfect lattice.
    pos = {}
    for r in range(ROWS):
        for c in range(COLS):
            pos[(c, r)] = (col_x[c] + rng.uniform(-35.0, 35.0), row_y[r] + rng.uniform(-35.0, 35.0))

    # Signal ids in reading order: north-west first, row by row to the south-east.
    sig_id = {}
    n = 0
    for r in reversed(range(ROWS)):
        for c in range(COLS):
            n += 1
            sig_id[(c, r)] = "S-%02d" % n

    # Edge-of-model nodes: one per boundary side of every boundary intersection (corners get two).
    edge_nodes = []  # (node id, grid key, direction of the node seen from the signal, x, y)
    for r in range(ROWS):
        for side, c in (("W", 0), ("E", COLS - 1)):
            d = rng.uniform(*EDGE_DIST_M)
            x, y = pos[(c, r)]
            dx, _ = COMPASS[side]
            edge_nodes.append(("N-EDGE-%s%d" % (side, r + 1), (c, r), side, x + dx * d, y + rng.uniform(-15.0, 15.0)))
    for c in range(COLS):
        for side, r in (("S", 0), ("N", ROWS - 1)):
            d = rng.uniform(*EDGE_DIST_M)
            x, y = pos[(c, r)]
            _, dy = COMPASS[side]
            edge_nodes.append(("N-EDGE-%s%d" % (side, c + 1), (c, r), side, x + rng.uniform(-15.0, 15.0), y + dy * d))
    edge_nodes.sort(key=lambda e: ("WENS".index(e[2]), e[0]))

    # District rectangle: covers the edge nodes with a margin.
    xs = [e[3] for e in edge_nodes] + [p[0] for p in pos.values()]
    ys = [e[4] for e in edge_nodes] + [p[1] for p in pos.values()]
    x0, x1 = min(xs) - MARGIN_X_M, max(xs) + MARGIN_X_M
    y0, y1 = min(ys) - MARGIN_Y_M, max(ys) + MARGIN_Y_M
    # Round the rectangle to whole metres (purely cosmetic).
    x0, x1, y0, y1 = math.floor(x0), math.ceil(x1), math.floor(y0), math.ceil(y1)

    def mid_x(i):  # between column i and i+1
        return round((col_x[i] + col_x[i + 1]) / 2.0)

    def mid_y(j):  # between row j and j+1
        return round((row_y[j] + row_y[j + 1]) / 2.0)

    xa, xb = mid_x(OLD_COLS[0] - 1), mid_x(OLD_COLS[1])   # Old Town west / east edge
    ya, yb = mid_y(OLD_ROWS[0] - 1), mid_y(OLD_ROWS[1])   # Old Town south / north edge

    return {
        "rng": rng, "col_x": col_x, "row_y": row_y, "pos": pos, "sig_id": sig_id,
        "edge_nodes": edge_nodes, "rect": (x0, x1, y0, y1), "old": (xa, xb, ya, yb),
    }


def rect_ring(corners):
    """A closed ring (counter-clockwise, as RFC 7946 recommends) through the given (x, y) corners."""
    ring = [to_lonlat(x, y) for x, y in corners]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def make_districts(L):
    x0, x1, y0, y1 = L["rect"]
    xa, xb, ya, yb = L["old"]
    # Five rectangles that tile [x0,x1] x [y0,y1] exactly. Where a neighbour's corner lies on an edge,
    # the vertex is repeated in the longer ring too, so the shared edges match vertex for vertex.
    districts = [
        ("D-OLD", "Old Town", 7200, [(xa, ya), (xb, ya), (xb, yb), (xa, yb)]),
        ("D-NORTH", "North", 13900, [(xa, yb), (xb, yb), (xb, y1), (xa, y1)]),
        ("D-EAST", "East (harbour and industry)", 10700,
         [(xb, y0), (x1, y0), (x1, y1), (xb, y1), (xb, yb), (xb, ya)]),
        ("D-SOUTH", "Riverside", 11800, [(xa, y0), (xb, y0), (xb, ya), (xa, ya)]),
        ("D-WEST", "West", 16400, [(x0, y0), (xa, y0), (xa, ya), (xa, yb), (xa, y1), (x0, y1)]),
    ]
    return [feature(did, "district", rect_ring(corners), {"name": name, "population": pop})
            for did, name, pop, corners in districts]


def in_old_town(L, key):
    c, r = key
    return OLD_COLS[0] <= c <= OLD_COLS[1] and OLD_ROWS[0] <= r <= OLD_ROWS[1]


def make_network(L):
    pos, sig_id = L["pos"], L["sig_id"]
    links = []  # dicts with id, from, to, coordinates (xy), lanes, speed, name, plus signal-side info
    incoming = {key: {} for key in pos}  # key -> approach id -> link dict

    def add_link(from_node, to_node, a_xy, b_xy, street, arterial, old_town):
        link = {
            "id": "L-%03d" % (len(links) + 1),
            "from": from_node, "to": to_node, "a": a_xy, "b": b_xy,
            "lanes": 2 if arterial else 1,
            "speed": 30 if old_town else 50,
            "name": street,
        }
        links.append(link)
        return link

    # Grid links: every pair of adjacent intersections, one link each way.
    for r in range(ROWS):  # E-W pairs
        street, arterial = ROW_STREETS[r]
        for c in range(COLS - 1):
            w, e = (c, r), (c + 1, r)
            old = in_old_town(L, w) and in_old_town(L, e)
            incoming[e]["W"] = add_link(sig_id[w], sig_id[e], pos[w], pos[e], street, arterial, old)
            incoming[w]["E"] = add_link(sig_id[e], sig_id[w], pos[e], pos[w], street, arterial, old)
    for c in range(COLS):  # N-S pairs
        street, arterial = COL_STREETS[c]
        for r in range(ROWS - 1):
            s, nn = (c, r), (c, r + 1)
            old = in_old_town(L, s) and in_old_town(L, nn)
            incoming[nn]["S"] = add_link(sig_id[s], sig_id[nn], pos[s], pos[nn], street, arterial, old)
            incoming[s]["N"] = add_link(sig_id[nn], sig_id[s], pos[nn], pos[s], street, arterial, old)

    # Edge links: inbound from and outbound to the edge-of-model node.
    for node, key, side, ex, ey in L["edge_nodes"]:
        c, r = key
        street, arterial = ROW_STREETS[r] if side in "WE" else COL_STREETS[c]
        incoming[key][side] = add_link(node, sig_id[key], (ex, ey), pos[key], street, arterial, False)
        add_link(sig_id[key], node, pos[key], (ex, ey), street, arterial, False)

    # Signals.
    rng = L["rng"]
    signals = []
    signal_info = {}
    keys = sorted(pos, key=lambda k: sig_id[k])
    for key in keys:
        c, r = key
        row_name, row_art = ROW_STREETS[r]
        col_name, col_art = COL_STREETS[c]
        old = in_old_town(L, key)
        both = row_art and col_art
        approaches = []
        for a in APPROACH_ORDER:
            link = incoming[key][a]
            if link["lanes"] >= 2:
                # Left-turn pocket; at arterial x arterial junctions the through/right group has 2 lanes.
                tr_lanes = 2 if both else 1
                groups = [
                    {"id": "L", "movements": ["left"], "lanes": 1, "saturationFlowVehH": 1700},
                    {"id": "TR", "movements": ["through", "right"], "lanes": tr_lanes,
                     "saturationFlowVehH": 1800 * tr_lanes},
                ]
            else:
                groups = [{"id": "LTR", "movements": ["left", "through", "right"], "lanes": 1,
                           "saturationFlowVehH": 1700}]
            approaches.append({"id": a, "link": link["id"], "laneGroups": groups})

        def serves(dirs, only=None):
            return ["%s.%s" % (ap["id"], g["id"]) for ap in approaches if ap["id"] in dirs
                    for g in ap["laneGroups"] if only is None or g["id"] in only]

        if both:
            # Three phases: N-S, leading protected left for E-W, then all of E-W.
            greens = (30, 8, 37) if old else (33, 10, 42)
            phases = [
                (1, greens[0], serves("NS")),
                (2, greens[1], serves("EW", only=("L",))),
                (3, greens[2], serves("EW")),
            ]
        else:
            if row_art and not col_art:
                g_ns, g_ew = (24, 36) if old else (28, 42)
            elif col_art and not row_art:
                g_ns, g_ew = (36, 24) if old else (42, 28)
            else:
                g_ns, g_ew = (25, 25)
            phases = [(1, g_ns, serves("NS")), (2, g_ew, serves("EW"))]
        cycle = sum(g + AMBER_S + ALL_RED_S for _, g, _ in phases)
        plan = {
            "id": "base", "cycleS": cycle, "offsetS": 0,
            "phases": [{"id": pid, "greenS": g, "amberS": AMBER_S, "allRedS": ALL_RED_S, "serves": sv}
                       for pid, g, sv in phases],
        }
        if both:
            width = rng.choice([22, 23, 24])
        elif row_art or col_art:
            width = rng.choice([17, 18, 19, 20])
        else:
            width = rng.choice([14, 15, 16])
        x, y = pos[key]
        signals.append(feature(sig_id[key], "signal", point(x, y), {
            "name": "%s / %s" % (row_name, col_name),
            "junctionWidthM": width,
            "approaches": approaches,
            "plan": plan,
        }))
        signal_info[sig_id[key]] = (key, approaches)

    link_features = [feature(l["id"], "link",
                             {"type": "LineString", "coordinates": [to_lonlat(*l["a"]), to_lonlat(*l["b"])]},
                             {"from": l["from"], "to": l["to"], "lanes": l["lanes"],
                              "speedLimitKmh": l["speed"], "name": l["name"]})
                     for l in links]
    return signals, link_features, incoming, signal_info


# Parking: (name, type, capacity, price, grid key of the nearby intersection, offset x, offset y, district)
PARKING = [
    ("Marktplatz Garage", "off-street", 420, 2.5, (2, 2), 90.0, -75.0, "D-OLD"),
    ("Schlossgarage", "off-street", 310, 2.2, (3, 2), -85.0, 70.0, "D-OLD"),
    ("Kirchplatz Tiefgarage", "off-street", 260, 2.8, (2, 1), 70.0, 95.0, "D-OLD"),
    ("Parkhaus Bahnhof", "off-street", 650, 1.8, (3, 1), 95.0, -80.0, "D-OLD"),
    ("Parkhaus Hafen", "off-street", 480, 1.5, (4, 1), 80.0, 60.0, "D-EAST"),
    ("Parkhaus Lindenhof", "off-street", 380, 1.6, (2, 3), 85.0, 70.0, "D-NORTH"),
    ("Marktstrasse Parkzone", "on-street", 60, 2.0, (2, 2), 150.0, 10.0, "D-OLD"),
    ("Uferstrasse Parkzone", "on-street", 120, 1.0, (2, 0), 180.0, -12.0, "D-SOUTH"),
    ("Nordring Parkzone", "on-street", 90, 1.0, (3, 4), -170.0, 12.0, "D-NORTH"),
    ("Westring Parkzone", "on-street", 75, 1.2, (0, 2), 12.0, 160.0, "D-WEST"),
]
GATE_OFFSETS = {"IN": (12.0, -10.0, "entry"), "OUT": (-12.0, -10.0, "exit")}


def make_parking(L):
    pos = L["pos"]
    facilities = []
    xy = {}
    for i, (name, ptype, cap, price, key, ox, oy, _) in enumerate(PARKING, start=1):
        pid = "P-%02d" % i
        x, y = pos[key][0] + ox, pos[key][1] + oy
        xy[pid] = (x, y)
        facilities.append(feature(pid, "parking", point(x, y), {
            "name": name, "type": ptype, "capacity": cap, "pricePerHour": price, "currency": "EUR",
        }))
    return facilities, xy


def make_detectors(L, incoming, signal_info, parking_xy):
    pos = L["pos"]
    detectors = []
    for sid in sorted(signal_info):
        key, approaches = signal_info[sid]
        sx, sy = pos[key]
        for ap in approaches:
            link = incoming[key][ap["id"]]
            ax, ay = link["a"]
            length = math.hypot(ax - sx, ay - sy)
            ux, uy = (ax - sx) / length, (ay - sy) / length
            props = {"signal": sid, "approach": ap["id"]}
            if any(g["id"] == "TR" for g in ap["laneGroups"]):
                props["laneGroup"] = "TR"
            detectors.append(feature("DET-%s-%s" % (sid.replace("-", ""), ap["id"]), "detector",
                                     point(sx + ux * DETECTOR_UPSTREAM_M, sy + uy * DETECTOR_UPSTREAM_M), props))
    for pid in sorted(parking_xy):
        px, py = parking_xy[pid]
        for suffix in ("IN", "OUT"):
            ox, oy, role = GATE_OFFSETS[suffix]
            detectors.append(feature("DET-%s-%s" % (pid.replace("-", ""), suffix), "detector",
                                     point(px + ox, py + oy), {"parking": pid, "role": role}))
    return detectors


# ----------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------

PAIR = re.compile(r"\[\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?),\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\]")
STRINGS = re.compile(r'\[\s*("[^"\\\[\]]*"(?:,\s*"[^"\\\[\]]*")*)\s*\]')


def dumps(obj):
    """indent=2 JSON, with every coordinate pair and every list of plain strings on one line."""
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    text = PAIR.sub(r"[\1, \2]", text)
    text = STRINGS.sub(lambda m: "[" + re.sub(r",\s*", ", ", m.group(1)) + "]", text)
    return text + "\n"


def write(name, obj):
    with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(dumps(obj))


def collection(features):
    return {"type": "FeatureCollection", "features": features}


# ----------------------------------------------------------------------------------------------
# self-check
# ----------------------------------------------------------------------------------------------

def rings_xy(geometry):
    if geometry["type"] == "Polygon":
        return [[to_xy(p) for p in geometry["coordinates"][0]]]
    return [[to_xy(p) for p in poly[0]] for poly in geometry["coordinates"]]


def point_in_ring(x, y, ring):
    """Ray casting (even-odd rule) on a closed ring of (x, y)."""
    inside = False
    for (xi, yi), (xj, yj) in zip(ring, ring[1:]):
        if (yi > y) != (yj > y):
            xc = xi + (y - yi) * (xj - xi) / (yj - yi)
            if x < xc:
                inside = not inside
    return inside


def distance_to_ring(x, y, ring):
    best = float("inf")
    for (xi, yi), (xj, yj) in zip(ring, ring[1:]):
        dx, dy = xj - xi, yj - yi
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - xi) * dx + (y - yi) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(x - (xi + t * dx), y - (yi + t * dy)))
    return best


def districts_containing(x, y, districts, clearance_m):
    """Districts that contain (x, y) strictly, at least clearance_m away from their boundary."""
    found = []
    for d in districts:
        for ring in rings_xy(d["geometry"]):
            if point_in_ring(x, y, ring) and distance_to_ring(x, y, ring) > clearance_m:
                found.append(d["id"])
    return found


def self_check(districts, signals, links, parking, detectors):
    everything = districts + signals + links + parking + detectors
    kinds = {"district": "Polygon", "signal": "Point", "link": "LineString", "parking": "Point",
             "detector": "Point"}

    # counts
    assert 4 <= len(districts) <= 6, len(districts)
    assert len(signals) >= 24, len(signals)
    assert len(links) >= 60, len(links)
    assert len(parking) >= 8, len(parking)
    assert len(detectors) >= 100, len(detectors)

    # feature shape and ids
    ids = [f["id"] for f in everything]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for f in everything:
        assert f["type"] == "Feature" and isinstance(f["id"], str) and ID_PATTERN.match(f["id"]), f["id"]
        assert f["geometry"]["type"] == kinds[f["properties"]["kind"]], f["id"]

    pop = sum(d["properties"]["population"] for d in districts)
    assert 55000 <= pop <= 65000, pop

    # districts tile the rectangle without overlap: total area equals the bounding box area
    def area(ring):
        return abs(sum(xi * yj - xj * yi for (xi, yi), (xj, yj) in zip(ring, ring[1:]))) / 2.0
    all_pts = [p for d in districts for ring in rings_xy(d["geometry"]) for p in ring]
    bbox = (max(p[0] for p in all_pts) - min(p[0] for p in all_pts)) * (max(p[1] for p in all_pts) - min(p[1] for p in all_pts))
    total = sum(area(ring) for d in districts for ring in rings_xy(d["geometry"]))
    assert abs(total - bbox) < 1.0, (total, bbox)

    # every point feature lies strictly inside exactly one district (>= 1 m from any boundary)
    for f in signals + parking + detectors:
        x, y = to_xy(f["geometry"]["coordinates"])
        inside = districts_containing(x, y, districts, 1.0)
        assert len(inside) == 1, (f["id"], inside)
    # every link vertex lies inside a district too
    for f in links:
        for p in f["geometry"]["coordinates"]:
            assert districts_containing(*to_xy(p), districts, 0.0), f["id"]
    # parking facilities: the intended district
    for f, spec in zip(parking, PARKING):
        x, y = to_xy(f["geometry"]["coordinates"])
        assert districts_containing(x, y, districts, 1.0) == [spec[7]], (f["id"], spec[7])
        p = f["properties"]
        if p["type"] == "off-street":
            assert 200 <= p["capacity"] <= 800 and 1.5 <= p["pricePerHour"] <= 3.0, f["id"]
        else:
            assert 40 <= p["capacity"] <= 150 and 1.0 <= p["pricePerHour"] <= 2.0, f["id"]
    assert sum(1 for f, s in zip(parking, PARKING) if s[1] == "off-street" and s[7] == "D-OLD") > \
        sum(1 for s in PARKING if s[1] == "off-street") / 2

    # links
    links_by_id = {f["id"]: f for f in links}
    signal_ids = {f["id"] for f in signals}
    for f in links:
        p = f["properties"]
        assert p["from"] != p["to"] and (p["from"] in signal_ids or p["to"] in signal_ids), f["id"]
        assert p["lanes"] >= 1 and 5 <= p["speedLimitKmh"] <= 200, f["id"]

    # signals: approaches, lane groups, plan
    signals_by_id = {}
    for f in signals:
        p = f["properties"]
        assert 14 <= p["junctionWidthM"] <= 24, f["id"]
        groups = set()
        approach_ids = [a["id"] for a in p["approaches"]]
        assert len(approach_ids) == len(set(approach_ids)), f["id"]
        for a in p["approaches"]:
            link = links_by_id[a["link"]]
            assert link["properties"]["to"] == f["id"], (f["id"], a["id"])
            # the approach id is the compass direction the traffic comes from
            sx, sy = to_xy(f["geometry"]["coordinates"])
            ax, ay = to_xy(link["geometry"]["coordinates"][0])
            dx, dy = COMPASS[a["id"]]
            assert (ax - sx) * dx + (ay - sy) * dy > 0.9 * math.hypot(ax - sx, ay - sy), (f["id"], a["id"])
            gids = [g["id"] for g in a["laneGroups"]]
            assert len(gids) == len(set(gids)), (f["id"], a["id"])
            for g in a["laneGroups"]:
                assert 300 * g["lanes"] <= g["saturationFlowVehH"] <= 2400 * g["lanes"], (f["id"], a["id"], g["id"])
                assert g["movements"] and set(g["movements"]) <= {"left", "through", "right", "u-turn"}
                groups.add("%s.%s" % (a["id"], g["id"]))
        plan = p["plan"]
        phase_ids = [ph["id"] for ph in plan["phases"]]
        assert phase_ids == list(range(1, len(phase_ids) + 1)), f["id"]
        total_s = sum(ph["greenS"] + ph["amberS"] + ph["allRedS"] for ph in plan["phases"])
        assert total_s == plan["cycleS"] and 20 <= plan["cycleS"] <= 300, (f["id"], total_s, plan["cycleS"])
        assert 0 <= plan["offsetS"] < plan["cycleS"], f["id"]
        served = set()
        for ph in plan["phases"]:
            assert ph["greenS"] > 0 and ph["serves"], (f["id"], ph["id"])
            for s in ph["serves"]:
                assert s in groups, (f["id"], s)
                served.add(s)
        assert served == groups, (f["id"], groups - served)
        signals_by_id[f["id"]] = f

    # detectors: references and placement
    parking_by_id = {f["id"]: f for f in parking}
    watched = set()
    gates = set()
    for f in detectors:
        p = f["properties"]
        x, y = to_xy(f["geometry"]["coordinates"])
        if "signal" in p:
            assert "parking" not in p, f["id"]
            sig = signals_by_id[p["signal"]]
            approach = [a for a in sig["properties"]["approaches"] if a["id"] == p["approach"]]
            assert len(approach) == 1, f["id"]
            if "laneGroup" in p:
                assert p["laneGroup"] in [g["id"] for g in approach[0]["laneGroups"]], f["id"]
            sx, sy = to_xy(sig["geometry"]["coordinates"])
            assert abs(math.hypot(x - sx, y - sy) - DETECTOR_UPSTREAM_M) < 1.0, f["id"]
            watched.add((p["signal"], p["approach"]))
        else:
            fac = parking_by_id[p["parking"]]
            assert p["role"] in ("entry", "exit"), f["id"]
            fx, fy = to_xy(fac["geometry"]["coordinates"])
            assert math.hypot(x - fx, y - fy) <= 30.0, f["id"]
            gates.add((p["parking"], p["role"]))
    assert watched == {(s["id"], a["id"]) for s in signals for a in s["properties"]["approaches"]}
    assert gates == {(pid, role) for pid in parking_by_id for role in ("entry", "exit")}


# ----------------------------------------------------------------------------------------------
# Demand: a weekday origin-destination table between the districts, hour by hour (docs/demand-format.md).

DAILY_CAR_TRIPS = 60000
# Share of the day's car trips starting in each hour (a typical weekday profile with a morning and an
# evening peak; normalised below).
HOURLY_PROFILE = [0.8, 0.5, 0.4, 0.4, 0.6, 1.5, 4.0, 7.5, 7.0, 5.5, 5.2, 5.5,
                  6.0, 6.0, 6.2, 7.0, 8.0, 8.2, 6.5, 4.8, 3.5, 2.8, 2.0, 1.3]
# Jobs per district (residents come from the district features' population).
JOBS = {"D-OLD": 9000, "D-NORTH": 3000, "D-EAST": 8000, "D-SOUTH": 4000, "D-WEST": 3000}


def make_demand(districts):
    """Rows (origin, destination, begin, end, vehicles): home-to-work in the morning (6-10 h), work-to-home in
    the afternoon (15-19 h), and a mix weighted by residents plus jobs otherwise."""
    pop = {f["id"]: f["properties"]["population"] for f in districts}
    ids = [f["id"] for f in districts]
    total_profile = sum(HOURLY_PROFILE)
    rows = []
    for hour, share in enumerate(HOURLY_PROFILE):
        trips = DAILY_CAR_TRIPS * share / total_profile
        if 6 <= hour < 10:
            prod, attr = pop, JOBS
        elif 15 <= hour < 19:
            prod, attr = JOBS, pop
        else:
            prod = attr = {d: pop[d] + JOBS[d] for d in ids}
        sp, sa = sum(prod[d] for d in ids), sum(attr[d] for d in ids)
        for o in ids:
            for d in ids:
                vehicles = trips * (prod[o] / sp) * (attr[d] / sa)
                rows.append((o, d, "%02d:00" % hour, "%02d:00" % (hour + 1), "%.1f" % vehicles))
    return rows


def write_demand(rows):
    with open(os.path.join(OUT_DIR, "demand.csv"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("# Riverton weekday car demand between districts, by hour. Generated by scenarios/tools/make_riverton.py.\n")
        fh.write("origin,destination,begin,end,vehicles\n")
        for r in rows:
            fh.write(",".join(r) + "\n")


def main():
    L = build()
    districts = make_districts(L)
    signals, links, incoming, signal_info = make_network(L)
    parking, parking_xy = make_parking(L)
    detectors = make_detectors(L, incoming, signal_info, parking_xy)

    os.makedirs(OUT_DIR, exist_ok=True)
    x0, x1, y0, y1 = L["rect"]
    manifest = {
        "name": CITY_NAME,
        "files": ["districts.geojson", "network.geojson", "parking.geojson", "detectors.geojson"],
        "demand": ["demand.csv"],
        # Hand-written, not generated: the detector configuration of the atspm package's test controllers
        # (MIT, tests/data/atspm/SOURCE.md) given to S-01, S-02 and S-03 (docs/signal-measures.md).
        "controllers": "controllers.csv",
        "cellSizeM": 250,
        "description": (
            "Riverton is a fictional mid-size European town of about 60,000 residents (not a real place; "
            "placed near longitude 9.35, latitude 52.10 only to have coordinates). The Old Town lies north "
            "of the river, Riverside along its bank, the harbour and industry in the East. %d signalised "
            "intersections on an irregular arterial grid, %d links, %d parking facilities and %d detectors "
            "over %.1f km x %.1f km. Generated by scenarios/tools/make_riverton.py."
            % (len(signals), len(links), len(parking), len(detectors), (x1 - x0) / 1000.0, (y1 - y0) / 1000.0)
        ),
    }
    write("city.json", manifest)
    write("districts.geojson", collection(districts))
    write("network.geojson", collection(signals + links))
    write("parking.geojson", collection(parking))
    write("detectors.geojson", collection(detectors))
    demand = make_demand(districts)
    write_demand(demand)

    # Self-check on what was written, read back from the files.
    def read(name):
        with open(os.path.join(OUT_DIR, name), encoding="utf-8") as fh:
            return json.load(fh)
    assert read("city.json") == manifest
    loaded = {name: read(name)["features"] for name in manifest["files"]}
    net = loaded["network.geojson"]
    self_check(loaded["districts.geojson"],
               [f for f in net if f["properties"]["kind"] == "signal"],
               [f for f in net if f["properties"]["kind"] == "link"],
               loaded["parking.geojson"], loaded["detectors.geojson"])

    assert abs(sum(float(r[4]) for r in demand) - DAILY_CAR_TRIPS) < len(demand) * 0.05
    print("%s: %d districts, %d signals, %d links, %d parking facilities, %d detectors -> %s" % (
        CITY_NAME, len(districts), len(signals), len(links), len(parking), len(detectors),
        os.path.relpath(OUT_DIR)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
