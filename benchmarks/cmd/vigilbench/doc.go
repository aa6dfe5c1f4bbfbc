// Command vigilbench runs a Vigil detector over every labelled set in a
// directory (fit on all rows, score all rows) and prints ROC-AUC, PR-AUC and
// timings per set as a Markdown table, or JSON with -json.
//
//	go run ./benchmarks/cmd/vigilbench -detector iforest
//	go run ./benchmarks/cmd/vigilbench -only shuttle,cardio -seeds 1 -scores /tmp/s
//	go run ./benchmarks/cmd/vigilbench -json > vigil.json
//	go run ./benchmarks/cmd/vigilbench -in vigil.json -compare sklearn.json
//
// -compare reads a JSON report from benchmarks/scripts/sklearn_iforest.py
// (or an earlier vigilbench -json) and prints both side by side with the
// difference, flagging sets whose mean ROC-AUC differs by more than -tol;
// the exit status is 1 when any set is flagged. -in takes Vigil's figures
// from a saved report instead of running.
//
// The default data directory is $VIGIL_DATA/odds, else ../shared/data/odds
// beside the module root.
package main
