#!/usr/bin/env python3
"""Report for bench/sumo-compare.sh: reads the files the script left in WORK and writes WORK/results.md (also printed).

Per grid N it reads gridN.trips.xml (the trips given to both), and for each run NAME in gridN-micro, gridN-meso,
gridN-mesojc, gridN-ct, gridN-ct0: NAME.time ('%e %M' of /usr/bin/time: wall seconds, peak RSS in KiB), NAME.error (a failed
run), and either NAME.tripinfo.xml + NAME.log (SUMO) or NAME/summary.json (CityTwin; ct0 is the import given
sigma0.add.xml, as SUMO's micro0).

SUMO tripinfo semantics used: 'duration' = arrival - depart, where 'depart' is the actual insertion time, so it does
not include 'departDelay' (insertion time - planned departure); 'timeLoss' is the time lost against driving the
route at the vehicle's own desired speed (speed limit x speedFactor), waiting included, departDelay excluded.
'routeLength' (m) runs from the depart position to the arrival position and, in micro only, includes the
lanes inside junctions (meso has none); CityTwin's is its vehicleKm / tripsCompleted.
Teleports come from the 'Teleports: N (...)' line that --duration-log.statistics prints (absent when there were none).
Standard library only.
"""
import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

SUMO_RUNS = [("micro", "SUMO micro"), ("micro0", "SUMO micro, sigma=0 (no dawdling)"), ("meso", "SUMO meso (--mesosim: lights ignored)"),
             ("mesojc", "SUMO meso + --meso-junction-control")]


def count_trips(path):
    n = 0
    for _, el in ET.iterparse(path):
        if el.tag in ("trip", "vehicle", "flow"):
            n += 1
        el.clear()
    return n


def read_time(path):
    """Last line of a /usr/bin/time -o file: 'wall_s peak_kib'."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [ln.split() for ln in f if ln.strip()]
        wall, kib = lines[-1][:2]
        return float(wall), float(kib) / 1024.0
    except (OSError, IndexError, ValueError):
        return None, None


def read_error(path):
    try:
        with open(path, encoding="utf-8") as f:
            return " ".join(f.read().split())
    except OSError:
        return None


def sumo_row(work, name):
    row = {}
    row["wall"], row["mem"] = read_time(os.path.join(work, name + ".time"))
    err = read_error(os.path.join(work, name + ".error"))
    if err:
        row["error"] = err
        return row
    n = 0
    dur = loss = delay = length = 0.0
    try:
        for _, el in ET.iterparse(os.path.join(work, name + ".tripinfo.xml")):
            if el.tag == "tripinfo":
                n += 1
                dur += float(el.get("duration"))
                loss += float(el.get("timeLoss"))
                delay += float(el.get("departDelay"))
                length += float(el.get("routeLength"))
            el.clear()
    except (OSError, ET.ParseError) as e:
        row["error"] = "cannot read tripinfo: %s" % e
        return row
    row["completed"] = n
    row["duration"] = dur / n if n else None
    row["timeloss"] = loss / n if n else None
    row["departdelay"] = delay / n if n else None
    row["routelength"] = length / n if n else None
    try:
        with open(os.path.join(work, name + ".log"), encoding="utf-8", errors="replace") as f:
            log = f.read()
        m = re.search(r"^Teleports: (\d+)", log, re.M)
        row["teleports"] = int(m.group(1)) if m else (0 if "Statistics (avg" in log else None)
    except OSError:
        row["teleports"] = None
    return row


def ct_row(work, n, suffix=""):
    name = "grid%s-ct%s" % (n, suffix)
    row = {}
    row["wall"], row["mem"] = read_time(os.path.join(work, name + ".time"))
    err = read_error(os.path.join(work, name + ".error"))
    if err:
        row["error"] = err
        return row
    try:
        with open(os.path.join(work, name, "summary.json"), encoding="utf-8") as f:
            s = json.load(f)
    except (OSError, ValueError) as e:
        row["error"] = "cannot read summary.json: %s" % e
        return row
    row["completed"] = s.get("tripsCompleted")
    row["duration"] = s.get("meanTripDurationS")
    row["timeloss"] = s.get("meanTimeLossS")
    row["teleports"] = s.get("teleports")
    row["departdelay"] = s.get("meanDepartDelayS", s.get("meanInsertionDelayS"))
    km = s.get("vehicleKm")
    row["routelength"] = 1000.0 * km / row["completed"] if km is not None and row["completed"] else None
    row["engine_wall"] = s.get("wallSeconds")
    row["delay_vehh"] = s.get("totalDelayVehH")
    iw, _ = read_time(os.path.join(work, "grid%s-ct%s-import.time" % (n, suffix)))
    row["import_wall"] = iw
    return row


def fmt(v, spec="%.1f"):
    if v is None:
        return "–"
    if isinstance(v, int):
        return "{:,}".format(v)
    return spec % v


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--sumo-version", default="")
    ap.add_argument("--grids", nargs="+", required=True)
    a = ap.parse_args()
    work = a.work

    out = ["# CityTwin vs SUMO on signalised grids", ""]
    out.append("%s; CityTwin: `citytwin simulate`. Wall time and peak memory: `/usr/bin/time -f '%%e %%M'` around the "
               "whole command (loading and routing included). Same trips file for every row (%s)." %
               (a.sumo_version or "SUMO", ", ".join("grid%s.trips.xml" % n for n in a.grids)))
    out.append("")
    rows_by_grid = {}
    for n in a.grids:
        trips_path = os.path.join(work, "grid%s.trips.xml" % n)
        trips = count_trips(trips_path) if os.path.exists(trips_path) else None
        rows = [(label, sumo_row(work, "grid%s-%s" % (n, key))) for key, label in SUMO_RUNS]
        rows.append(("CityTwin", ct_row(work, n)))
        rows.append(("CityTwin, imported with sigma=0", ct_row(work, n, "0")))
        rows_by_grid[n] = dict(rows)
        out.append("## Grid %sx%s (%s trips in one hour)" % (n, n, fmt(trips)))
        out.append("")
        out.append("| run | wall time (s) | peak memory (MB) | trips completed / trips | mean trip duration (s) "
                   "| mean time loss (s) | teleports | mean depart delay (s) | mean route length (m) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, r in rows:
            if "error" in r:
                out.append("| %s | not available: %s | | | | | | | |" % (label, r["error"].replace("|", "/")))
                continue
            out.append("| %s | %s | %s | %s / %s | %s | %s | %s | %s | %s |" % (
                label, fmt(r["wall"], "%.2f"), fmt(r["mem"], "%.0f"), fmt(r["completed"]), fmt(trips),
                fmt(r["duration"]), fmt(r["timeloss"]), fmt(r["teleports"]), fmt(r.get("departdelay"), "%.2f"),
                fmt(r.get("routelength"), "%.0f")))
        ct = rows_by_grid[n]["CityTwin"]
        micro = rows_by_grid[n]["SUMO micro"]
        out.append("")
        if "error" not in ct and ct.get("duration") is not None and micro.get("duration"):
            ratio = ct["duration"] / micro["duration"]
            out.append("- CityTwin mean trip duration / SUMO micro: %.3f (%+.1f%%; goal: within ±15%%: %s)" % (
                ratio, 100 * (ratio - 1), "met" if abs(ratio - 1) <= 0.15 else "NOT met"))
            if ct.get("timeloss") is not None and micro.get("timeloss"):
                out.append("- CityTwin mean time loss / SUMO micro: %.3f" % (ct["timeloss"] / micro["timeloss"]))
            micro0 = rows_by_grid[n].get("SUMO micro, sigma=0 (no dawdling)", {})
            ct0 = rows_by_grid[n].get("CityTwin, imported with sigma=0", {})
            if micro0.get("duration") and ct0.get("duration") is not None:
                out.append("- CityTwin imported with sigma=0 / SUMO micro with sigma=0, mean trip duration: %.3f" % (ct0["duration"] / micro0["duration"]))
            extra = []
            if ct.get("import_wall") is not None:
                extra.append("import %.2f s (not in the table)" % ct["import_wall"])
            if ct.get("engine_wall") is not None:
                extra.append("engine's own wallSeconds %.2f s" % ct["engine_wall"])
            if ct.get("delay_vehh") is not None:
                extra.append("total delay %.1f veh·h" % ct["delay_vehh"])
            if extra:
                out.append("- CityTwin: " + "; ".join(extra))
        else:
            out.append("- CityTwin / SUMO micro mean trip duration: not available")
        out.append("")

    if "30" in rows_by_grid:
        g = rows_by_grid["30"]
        ct = g["CityTwin"]
        out.append("## Speed on 30x30 (goal: CityTwin faster than SUMO meso)")
        out.append("")
        for key, label in SUMO_RUNS[2:]:
            m = g[label]
            if "error" in ct or ct.get("wall") is None or m.get("wall") is None:
                out.append("- CityTwin vs %s: not available" % label)
            else:
                out.append("- CityTwin %.2f s vs %s %.2f s: %.2fx (%s)" % (
                    ct["wall"], label, m["wall"], m["wall"] / ct["wall"],
                    "faster" if ct["wall"] < m["wall"] else "NOT faster"))
        out.append("")

    out.append("## Commands")
    out.append("")
    out.append("```")
    try:
        with open(os.path.join(work, "commands.txt"), encoding="utf-8") as f:
            out.extend(ln.rstrip("\n") for ln in f)
    except OSError:
        pass
    out.append("```")
    text = "\n".join(out) + "\n"
    with open(os.path.join(work, "results.md"), "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
