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

// Days is how many days of data an agreement test runs: full under
// VIGIL_EXAMPLES_FULL=1, 3 under the race detector (the agreement, not the
// scenario, is under test), plain otherwise.
func Days(plain, full int) int {
	switch {
	case os.Getenv("VIGIL_EXAMPLES_FULL") != "":
		return full
	case RaceEnabled:
		return 3
	}
	return plain
}

// Result is an example's analysis: any type embedding Analysis.
type Result interface{ Result() *Analysis }

// Result returns a.
func (a *Analysis) Result() *Analysis { return a }

// Agree is an example's jobrun agreement test: it writes the events gen
// makes as job JSON and NDJSON (write) to a fresh directory, analyses them
// in process (analyse) and checks that examples/jobrun, given the files,
// writes exactly the same records (CheckJobrun). It skips under -short.
func Agree[E any, R Result](t *testing.T, gen func() []E, write func(dir string, evs []E) error, analyse func([]E) (R, error)) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go run ../jobrun")
	}
	evs := gen()
	dir := t.TempDir()
	if err := write(dir, evs); err != nil {
		t.Fatal(err)
	}
	a, err := analyse(evs)
	if err != nil {
		t.Fatal(err)
	}
	CheckJobrun(t, dir, a.Result().Records)
}

// SkipUnderRace skips a full-size scenario test under the race detector:
// it runs in full without it, and the jobrun agreement covers the same
// code under it on less data.
func SkipUnderRace(t testing.TB) {
	t.Helper()
	if RaceEnabled {
		t.Skip("weeks of events under the race detector: runs in full without -race; TestJobrunAgrees covers this code under it")
	}
}

// Seeds runs check over five seeds from first when VIGIL_EXAMPLES_FULL is
// set, and skips otherwise.
func Seeds(t *testing.T, first uint64, check func(t *testing.T, seed uint64)) {
	t.Helper()
	if os.Getenv("VIGIL_EXAMPLES_FULL") == "" {
		t.Skip("set VIGIL_EXAMPLES_FULL=1 to run five seeds")
	}
	for seed := first; seed < first+5; seed++ {
		check(t, seed)
	}
}
