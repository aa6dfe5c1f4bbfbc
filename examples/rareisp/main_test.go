package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScenario: the unknown network is critical and blames its address;
// a new host's first networks and a developer's first Zoom call (common in
// the fleet) stay below minor, the nightly backups below major.
func TestScenario(t *testing.T) {
	if raceEnabled {
		t.Skip("the full scenario runs without -race; TestJobrunAgrees covers this code under it")
	}
	a, err := analyse(generate(1, 28))
	if err != nil {
		t.Fatal(err)
	}
	v := a.verdict()
	t.Logf("%+v", v)
	checkVerdict(t, 1, v)
}

func checkVerdict(t *testing.T, seed uint64, v verdict) {
	t.Helper()
	if v.incident < 75 || !v.incidentBlamed {
		t.Errorf("seed %d: the unknown network scored %.1f (blames %s: %v), want ≥ 75", seed, v.incident, badIP, v.incidentBlamed)
	}
	if v.newHost >= 25 || v.zoom >= 50 {
		t.Errorf("seed %d: new host %.1f (want < 25), first Zoom %.1f (want < 50)", seed, v.newHost, v.zoom)
	}
	if v.benign >= 50 {
		t.Errorf("seed %d: recurring pattern scored %.1f (%s), want < 50", seed, v.benign, v.benignWhat)
	}
}

// TestJobrunAgrees writes the example's data as job JSON and NDJSON, runs
// examples/jobrun on it and checks that it writes exactly the records the
// example computes in process.
func TestJobrunAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ../jobrun")
	}
	days := 10
	if os.Getenv("VIGIL_EXAMPLES_FULL") != "" {
		days = 28
	}
	if raceEnabled {
		days = 3
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	evs := generate(2, days)
	dir := t.TempDir()
	if err := writeData(dir, evs); err != nil {
		t.Fatal(err)
	}
	a, err := analyse(evs)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range a.records {
		if a.records[i].RecordScore >= 1 {
			want = append(want, string(a.records[i].AppendJSON(nil)))
		}
	}
	out := filepath.Join(dir, "records.ndjson")
	cmd := exec.Command(goBin, "run", "../jobrun", "-job", filepath.Join(dir, "job.json"),
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
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	if len(got) != len(want) {
		t.Fatalf("jobrun wrote %d records, the example has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d differs:\n jobrun  %s\n example %s", i, got[i], want[i])
		}
	}
	if len(want) == 0 {
		t.Fatal("no records to compare")
	}
}

// TestScenarioSeeds repeats the scenario over five seeds (VIGIL_EXAMPLES_FULL=1).
func TestScenarioSeeds(t *testing.T) {
	if os.Getenv("VIGIL_EXAMPLES_FULL") == "" {
		t.Skip("set VIGIL_EXAMPLES_FULL=1 to run five seeds")
	}
	for seed := uint64(1); seed <= 5; seed++ {
		a, err := analyse(generate(seed, 28))
		if err != nil {
			t.Fatal(err)
		}
		v := a.verdict()
		t.Logf("seed %d: %+v", seed, v)
		checkVerdict(t, seed, v)
	}
}
