"""How much one outbox relay round takes at most: the defaults of the relay and of the services'
settings (`LOKET_RELAY_BATCH_SIZE`, `LOKET_RELAY_BATCH_BYTES`), in one place. They used to be
written twice and had drifted apart (the relay's 500 against the settings' 1 000)."""

# Measured by `loket bench bus --bus kafka` (docs/performance.md, run 12): 1 000 rows a round
# cost 9 % fewer CPU seconds per event than 500 (half the produce rounds); 2 000 added little
# then, when rounds were cut short by the writers' pace, not by this bound. With the linger below
# a steady stream fills them (run 92).
BATCH_SIZE = 2000
# A round holds its rows in memory, and a letter with its PDF inline is up to 7 MB: the rows
# stop at this many payload bytes (a round always takes its first row, whatever its size).
BATCH_BYTES = 8 * 1024 * 1024
# While the outbox keeps filling, a round that was not full waits until this long after it began
# before the next starts: rows gather into fewer, larger rounds. Each round is one transaction
# and, on Kafka, a produce request per leader replicated to two followers; rounds of what the
# writers committed in the last few milliseconds made the brokers' request threads the largest
# part of the pipeline's extra CPU. With 50 ms, on one warm cluster, rounds held 725-758 rows
# instead of 394-439, and alternating pipeline runs gave 11 % more events/s for 12 % less CPU per
# event, at about 20 ms more latency (p50); 80 and 100 ms added nothing more (docs/performance.md,
# run 18), where at the pipeline's pace 80 ms already filled a round of 1 000. Rounds of up to 2 000 rows, 130 ms apart
# (at the benchmark's 12-16 k events a second, 1 600-2 000 rows): in three sets of six
# alternating runs, each on its own warm cluster, the median pipeline run passed 13-22 % more
# events a second for 13-18 % less CPU an event than with 1 000 and 50 ms, at p50 latency of about
# 215 ms instead of 130-210 under the benchmark's unpaced writers (docs/performance.md, run 92).
# A relay that found the outbox empty is woken by the append's notification and publishes at
# once: a lone event never waits; and a round full by rows or by bytes (PDFs) is followed by the
# next at once.
LINGER_S = 0.13
