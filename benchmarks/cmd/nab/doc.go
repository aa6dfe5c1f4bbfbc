// Command nab runs Vigil over the Numenta Anomaly Benchmark corpus and
// scores it with package benchmarks/nab, NAB's rules implemented
// independently.
//
//	go run ./benchmarks/cmd/nab -data ../shared/data/nab -out DIR
//	go run ./benchmarks/cmd/nab -engine tsmodel -files
//
// Every file is a stream: by default (-engine timeseries) one
// timeseries.Job per file with a single mean(value) detector and
// bucket_span = the file's median sampling interval, fed row by row as
// events; a row's score comes from the record of its bucket, so it uses only
// that row and the rows before it (a bucket's score goes to its last row;
// rows that step back in time are refused by the job as late and score 0).
// -engine tsmodel drives internal/tsmodel directly, one bucket per row.
//
// A row's anomaly_score is L/(L+5) with L = -log10 of the record's
// probability, in [0, 1) and monotone in the probability, which is all
// NAB's single corpus-wide threshold sees. Repeat alarms are suppressed
// as NAB permits a detector to: a row is reported only when its L exceeds
// every L of the previous -suppress rows (default 150) by more than -margin
// (default 0); other rows score 0. So one event alarms once, at its onset,
// and again only if it grows. The default 150 is a NAB choice: scores are
// flat for 100-175 rows (68.2-68.7 standard) and fall beyond 200 (63.4 at
// 250), where an alarm before a window starts to mask the window's onset,
// NAB's windows being about 200 rows either side of the labelled point in
// most files.
//
// -out DIR writes DIR/<category>/<file>.csv with NAB's results columns
// timestamp,value,anomaly_score,label (label 1 inside a window), row-aligned
// with the corpus. The command prints the normalised scores of the three
// profiles at their best thresholds, next to the published scoreboard in
// results/final_results.json; -files adds the standard profile's per-file
// scores and counts. EXPERIMENTS.md logs what was tried on the model and
// the score mapping, with its figures.
package main
