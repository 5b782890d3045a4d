#!/usr/bin/env python3
"""Report for bench/sumo-calibrate.sh: reads the files the script left in WORK, writes WORK/results.md (also printed)
and WORK/calibration.json (the measured figures the importer's constants come from).

SUMO files: TYPE-sat-{s,r,l}.det.xml and TYPE-opp-Q.det.xml (instantInductionLoop 0.1 m before the north arm's stop
line: one 'enter' per vehicle), TYPE-road.det.xml (loops d25..d1900 on the road) and TYPE-road.tripinfo.xml.
CityTwin files: ct-*-out*/kpi-approaches.csv (served per 90 s interval on approach NC) and ct-TYPE-road-out/summary.json.
Standard library only.
"""
import argparse
import csv
import json
import os
import statistics as st
import sys
import xml.etree.ElementTree as ET

CYCLE = 90.0          # netconvert's default program: 42 s green + 3 s yellow per axis; the north arm's green starts at 0
GREEN = 42.0
FIRST, LAST = 3, 38   # cycles counted: the queue is standing from the third cycle; the flows end at 3600 s
SPEED = 13.89         # speed limit of every edge (m/s)
TYPES = [("def", "SUMO default car (sigma 0.5)", {}), ("s0", "sigma 0", {"sigma": 0.0}),
         ("s02", "sigma 0.2", {"sigma": 0.2}), ("tau15", "tau 1.5 s", {"tau": 1.5}),
         ("acc15", "accel 1.5 m/s2", {"accel": 1.5}), ("len75", "length 7.5 m", {"length": 7.5})]
DEFAULT = {"sigma": 0.5, "tau": 1.0, "accel": 2.6, "length": 5.0, "minGap": 2.5}
OPPOSING = [200, 400, 600, 800]
GAPS = [4 + 0.5 * i for i in range(17)]


def crossings(path):
    """Per counted cycle, the stop-line crossing times relative to the start of the north arm's green."""
    cycles = {}
    for _, el in ET.iterparse(path):
        if el.tag == "instantOut" and el.get("state") == "enter":
            t = float(el.get("time"))
            k = int((t + 2) // CYCLE)   # a crossing up to 2 s before the green belongs to it (SUMO's step interpolation)
            if FIRST <= k <= LAST:
                cycles.setdefault(k, []).append(t - k * CYCLE)
        el.clear()
    return [sorted(v) for _, v in sorted(cycles.items())]


def saturated(path):
    cyc = crossings(path)
    n = st.mean(len(c) for c in cyc)
    h = st.mean((c[-1] - c[0]) / (len(c) - 1) for c in cyc)
    return {"perCycle": n, "dischargeHeadwayS": h, "firstS": st.mean(c[0] for c in cyc),
            "sd": st.pstdev([len(c) for c in cyc])}


def per_cycle(path):
    return sum(len(c) for c in crossings(path)) / (LAST - FIRST + 1)


def road(work, t):
    sf, dep, dur = {}, {}, []
    for _, el in ET.iterparse(os.path.join(work, t + "-road.tripinfo.xml")):
        if el.tag == "tripinfo":
            sf[el.get("id")] = float(el.get("speedFactor"))
            dep[el.get("id")] = (float(el.get("depart")), float(el.get("departPos")))
            dur.append(float(el.get("duration")))
        el.clear()
    times = {}
    for _, el in ET.iterparse(os.path.join(work, t + "-road.det.xml")):
        if el.tag == "instantOut" and el.get("state") == "enter":
            times.setdefault(el.get("vehID"), {})[el.get("id")] = float(el.get("time"))
        el.clear()
    loss, start, desired = [], [], []
    for v, tt in times.items():
        vd = SPEED * sf[v]
        vc = 900.0 / (tt["d1900"] - tt["d1000"])           # cruise speed between 1,000 and 1,900 m
        t0, pos0 = dep[v]
        loss.append(vd - vc)
        start.append((tt["d1000"] - t0) - (1000.0 - pos0) / vc)   # time lost starting, against cruising at vc
        desired.append(vd)
    s = st.mean(start)
    return {"vehicles": len(loss), "cruiseSpeedLossMs": st.mean(loss), "cruiseRatio": 1 - st.mean(loss) / st.mean(desired),
            "startLossS": s, "effectiveAccelerationMs2": st.mean(desired) / (2 * s), "meanDurationS": st.mean(dur)}


def ct_served(path):
    """CityTwin's vehicles served on approach NC per counted cycle (kpi-approaches.csv, 90 s intervals)."""
    try:
        with open(path, encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["approach"] == "NC" and r["interval_start_s"] != "total"
                    and FIRST * CYCLE <= float(r["interval_start_s"]) <= LAST * CYCLE]
    except OSError:
        return None
    return sum(int(r["served"]) for r in rows) / len(rows) if rows else None


def ct_road(work, t):
    try:
        with open(os.path.join(work, "ct-%s-road-out" % t, "summary.json"), encoding="utf-8") as f:
            return json.load(f)["meanTripDurationS"]
    except (OSError, ValueError, KeyError):
        return None


def f(v, spec="%.3f"):
    return "–" if v is None else spec % v


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--sumo-version", default="")
    ap.add_argument("--citytwin", action="store_true", help="also read the CityTwin runs")
    a = ap.parse_args()
    w = a.work

    m = {}
    for t, _, _ in TYPES:
        sat = {d: saturated(os.path.join(w, "%s-sat-%s.det.xml" % (t, d))) for d in "srl"}
        h = sat["s"]["dischargeHeadwayS"]
        m[t] = {"saturated": sat, "road": road(w, t),
                "throughHeadwayS": h, "throughFlowVehH": 3600 / h,
                "rightTurnEquivalent": sat["r"]["dischargeHeadwayS"] / h,
                "leftTurnEquivalent": sat["l"]["dischargeHeadwayS"] / h}
    for t in ("def", "s0"):
        m[t]["opposedLeftPerCycle"] = {q: per_cycle(os.path.join(w, "%s-opp-%d.det.xml" % (t, q))) for q in OPPOSING}

    # The mapping's constants (docs/sumo-import.md#vehicles): anchors at sigma 0 and 0.5, one-at-a-time sensitivities.
    d = m["def"]
    derived = {
        "cruiseLossPerSigmaAccel": d["road"]["cruiseSpeedLossMs"] / (DEFAULT["sigma"] * DEFAULT["accel"]),
        "accelerationFactor": d["road"]["effectiveAccelerationMs2"] / (DEFAULT["accel"] * (1 - DEFAULT["sigma"] / 2)),
    }
    for key in ("throughHeadwayS", "rightTurnEquivalent", "leftTurnEquivalent"):
        derived[key] = {"sigma0": m["s0"][key], "sigma05": d[key],
                        "perTauS": (m["tau15"][key] - d[key]) / 0.5,
                        "perAccelMs2": (m["acc15"][key] - d[key]) / (1.5 - 2.6),
                        "perLengthWithGapM": (m["len75"][key] - d[key]) / 2.5}

    out = ["# Calibration of the SUMO vehicle type mapping", ""]
    out.append("%s, seed 42, step 1 s. A straight road (2,000 m) and one signalised 4-way junction (90 s cycle, 42 s "
               "green), both 1 lane each way at 13.89 m/s, built with netconvert; not the grids of "
               "bench/sumo-compare.sh. Cycles %d-%d of an hour of saturated demand." % (a.sumo_version or "SUMO", FIRST, LAST))
    out.append("")
    out.append("## SUMO measurements")
    out.append("")
    out.append("| vehicle type | through / right / left per cycle | through discharge headway (s) | veh/h | right equivalent "
               "| left equivalent | cruise speed loss (m/s) | cruise / desired speed | start loss (s) | effective acceleration (m/s2) |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t, label, _ in TYPES:
        r = m[t]
        s = r["saturated"]
        out.append("| %s | %.2f / %.2f / %.2f | %.3f | %.0f | %.3f | %.3f | %.3f | %.4f | %.2f | %.2f |" % (
            label, s["s"]["perCycle"], s["r"]["perCycle"], s["l"]["perCycle"], r["throughHeadwayS"], r["throughFlowVehH"],
            r["rightTurnEquivalent"], r["leftTurnEquivalent"], r["road"]["cruiseSpeedLossMs"], r["road"]["cruiseRatio"],
            r["road"]["startLossS"], r["road"]["effectiveAccelerationMs2"]))
    out.append("")
    out.append("Left turns per cycle against opposing through traffic (veh/h): " + "; ".join(
        "%s: %s" % (t, ", ".join("%d: %.2f" % (q, m[t]["opposedLeftPerCycle"][q]) for q in OPPOSING)) for t in ("def", "s0")))
    out.append("")
    out.append("Constants derived (the importer's mapping): cruise speed loss = %.4f x sigma x accel; effective "
               "acceleration = %.4f x accel x (1 - sigma / 2)." % (derived["cruiseLossPerSigmaAccel"], derived["accelerationFactor"]))
    for key in ("throughHeadwayS", "rightTurnEquivalent", "leftTurnEquivalent"):
        c = derived[key]
        out.append("- %s: %.4f at sigma 0, %.4f at sigma 0.5 (linear between, and beyond); %+.4f per s of tau over 1, "
                   "%+.4f per m/s2 of accel over 2.6, %+.4f per m of length + minGap over 7.5" % (
                       key, c["sigma0"], c["sigma05"], c["perTauS"], c["perAccelMs2"], c["perLengthWithGapM"]))
    c = derived["throughHeadwayS"]
    pred = c["sigma0"] + (c["sigma05"] - c["sigma0"]) * 0.2 / 0.5
    out.append("- check of the interpolation in sigma (sigma 0.2, not used for the constants): through headway "
               "predicted %.3f s, measured %.3f s (%+.1f%%)" % (pred, m["s02"]["throughHeadwayS"], 100 * (pred / m["s02"]["throughHeadwayS"] - 1)))
    out.append("")

    calibration = {"sumoVersion": a.sumo_version, "measured": m, "derived": derived}
    if a.citytwin:
        out.append("## CityTwin: critical gap of a permissive left turn")
        out.append("")
        out.append("| type | gap (s) | " + " | ".join("%d veh/h" % q for q in OPPOSING) + " | sum of squares |")
        out.append("|---|---:|" + "---:|" * len(OPPOSING) + "---:|")
        best = {}
        for t in ("def", "s0"):
            sumo = m[t]["opposedLeftPerCycle"]
            out.append("| %s SUMO | | %s | |" % (t, " | ".join("%.2f" % sumo[q] for q in OPPOSING)))
            fits = []
            for g in GAPS:
                ct = {q: ct_served(os.path.join(w, "ct-%s-opp-%d-gap%g" % (t, q, g), "kpi-approaches.csv")) for q in OPPOSING}
                if any(v is None for v in ct.values()):
                    continue
                sse = sum((ct[q] - sumo[q]) ** 2 for q in OPPOSING)
                fits.append((sse, g, ct))
            for sse, g, ct in sorted(fits, key=lambda x: x[1]):
                out.append("| %s | %g | %s | %.2f |" % (t, g, " | ".join("%.2f" % ct[q] for q in OPPOSING), sse))
            if fits:
                best[t] = min(fits)[1]
        out.append("")
        out.append("Best gap: " + ", ".join("%s %g s" % (t, g) for t, g in best.items()))
        out.append("")
        calibration["criticalGapS"] = best

        out.append("## CityTwin with the importer's mapping against SUMO (calibration networks)")
        out.append("")
        out.append("| type | through per cycle SUMO / CityTwin | right | left | road trip (s) SUMO / CityTwin |")
        out.append("|---|---|---|---|---|")
        check = {}
        for t, label, _ in TYPES:
            ct = {d: ct_served(os.path.join(w, "ct-%s-sat-%s-out" % (t, d), "kpi-approaches.csv")) for d in "srl"}
            rd = ct_road(w, t)
            check[t] = {"perCycle": ct, "roadDurationS": rd}
            s = m[t]["saturated"]
            out.append("| %s | %.2f / %s | %.2f / %s | %.2f / %s | %.1f / %s |" % (
                label, s["s"]["perCycle"], f(ct["s"], "%.2f"), s["r"]["perCycle"], f(ct["r"], "%.2f"),
                s["l"]["perCycle"], f(ct["l"], "%.2f"), m[t]["road"]["meanDurationS"], f(rd, "%.1f")))
        out.append("")
        for t in ("def", "s0"):
            ct = {q: ct_served(os.path.join(w, "ct-%s-opp-%d-out" % (t, q), "kpi-approaches.csv")) for q in OPPOSING}
            check[t]["opposedLeftPerCycle"] = ct
            out.append("- opposed left turns per cycle, %s, SUMO / CityTwin: %s" % (t, "; ".join(
                "%d veh/h %.2f / %s" % (q, m[t]["opposedLeftPerCycle"][q], f(ct[q], "%.2f")) for q in OPPOSING)))
        out.append("")
        out.append("SUMO's road trips are whole steps (a vehicle arrives in the step its front passes the end), CityTwin's "
                   "are continuous; SUMO's start 5.1 m into the edge.")
        out.append("")
        calibration["check"] = check

    out.append("## Commands")
    out.append("")
    out.append("```")
    try:
        with open(os.path.join(w, "commands.txt"), encoding="utf-8") as fh:
            lines = [ln.rstrip("\n") for ln in fh]
        # the gap sweep is long: keep its first and last command
        sweep = [ln for ln in lines if "--critical-gap" in ln]
        out.extend(ln for ln in lines if "--critical-gap" not in ln)
        if sweep:
            out.append("# ... and %d runs of the gap sweep, e.g.:" % len(sweep))
            out.extend([sweep[0], sweep[-1]])
    except OSError:
        pass
    out.append("```")
    text = "\n".join(out) + "\n"
    with open(os.path.join(w, "results.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    with open(os.path.join(w, "calibration.json"), "w", encoding="utf-8") as fh:
        json.dump(calibration, fh, indent=2, default=str)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
