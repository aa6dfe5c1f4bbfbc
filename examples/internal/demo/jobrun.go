package demo

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ml/vigil/timeseries"
)

// CheckJobrun runs examples/jobrun on dir/job.json and dir/events.ndjson
// (as WriteJob writes them) and fails t unless it writes exactly recs'
// records with record_score ≥ 1, in order. It skips without a go command.
func CheckJobrun(t testing.TB, dir string, recs []timeseries.Record) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	var want []string
	for i := range recs {
		if recs[i].RecordScore >= 1 {
			want = append(want, string(recs[i].AppendJSON(nil)))
		}
	}
	if len(want) == 0 {
		t.Fatal("no records to compare")
	}
	// go run caches the built command, so every example after the first
	// reuses it.
	out := filepath.Join(dir, "records.ndjson")
	cmd := exec.Command(goBin, "run", "github.com/vigil-ml/vigil/examples/jobrun", "-job", filepath.Join(dir, "job.json"),
		"-events", filepath.Join(dir, "events.ndjson"), "-out", out)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jobrun: %v\n%s", err, msg)
	}
	t.Logf("jobrun: %s", strings.TrimSpace(string(msg)))
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24) // a record of many causes is a long line
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("jobrun wrote %d records, the example has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d differs:\n jobrun  %s\n example %s", i, got[i], want[i])
		}
	}
}
