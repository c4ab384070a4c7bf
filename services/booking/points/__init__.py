"""Assistance points: where citizens get in-person digital help (bpost, municipal counters,
Digibanks, public digital spaces), their hours, languages, services and capacity."""
