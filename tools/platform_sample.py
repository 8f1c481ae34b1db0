#!/usr/bin/env python3
"""Writes samples/platform-2024-03.csv: one month of a messaging platform's log (March 2024,
era B) over the business numbers of five customer accounts and one number no account lists.
Deterministic (a fixed LCG); run from the repository root: python3 tools/platform_sample.py"""

state = 20240301


def rand(n):
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
    return (state >> 33) % n


# (business number, customer prefix, digits in a customer number, customers, messages)
numbers = [
    ("+33 1 84 60 10 01", "+33 6 12", 11, 300, [("service", 260), ("utility", 60)]),
    ("+33 1 84 60 20 01", "+33 6 45", 11, 900, [("marketing", 700), ("service", 250)]),
    ("+33 1 84 60 20 02", "+49 151 2", 13, 400, [("marketing", 300), ("utility", 100)]),
    ("+1 415 555 0101", "+1 415 8", 11, 500, [("marketing", 500), ("utility", 200), ("authentication", 150)]),
    ("+34 910 000 301", "+34 6 11", 11, 120, [("utility", 120), ("service", 60)]),
    ("+44 20 7946 0999", "+44 7700 9", 12, 30, [("marketing", 12)]),
]

rows = []
for business, prefix, length, customers, plan in numbers:
    digits = length - len(prefix.replace("+", "").replace(" ", ""))
    for category, count in plan:
        for _ in range(count):
            day = 1 + rand(31)
            minute = rand(24 * 60)
            customer = prefix + str(rand(customers)).zfill(digits)
            t = f"2024-03-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z"
            if category == "service":
                rows.append((t, "inbound", "", customer, business))
                t2 = f"2024-03-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:30Z"
                rows.append((t2, "outbound", "service", customer, business))
            else:
                rows.append((t, "outbound", category, customer, business))

rows.sort(key=lambda r: (r[0], r[1] != "inbound"))
with open("samples/platform-2024-03.csv", "w") as f:
    f.write("timestamp,direction,category,recipient,business\n")
    for r in rows:
        f.write(",".join(r) + "\n")
