package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func check(t *testing.T, seed uint64) {
	t.Helper()
	a, err := analyse(generate(seed))
	if err != nil {
		t.Fatal(err)
	}
	v := a.verdict()
	t.Logf("seed %d: deposit %.1f, withdrawal %.1f (names the counterparty: %v), paydays %.1f, standing orders %.1f, other %.1f (%s %s %s)",
		seed, v.deposit, v.amount, v.namesMule, v.payday, v.standing, v.other,
		v.otherRec.Timestamp.In(seoul).Format("01-02 15:04"), account(&v.otherRec), v.otherRec.Function)
	if v.deposit < 75 || v.amount < 75 {
		t.Errorf("seed %d: deposit %.1f, withdrawal %.1f, want ≥ 75", seed, v.deposit, v.amount)
	}
	if !v.namesMule {
		t.Errorf("seed %d: the withdrawal record does not name %s as its counterparty influencer", seed, muleAccount)
	}
	if v.payday >= 50 || v.standing >= 50 {
		t.Errorf("seed %d: paydays %.1f, standing orders %.1f, want < 50", seed, v.payday, v.standing)
	}
}

// TestScenario: the takeover is critical, paydays and standing orders stay
// below major.
func TestScenario(t *testing.T) { check(t, 1) }

// TestScenarioSeeds repeats the scenario over five seeds (VIGIL_EXAMPLES_FULL=1).
func TestScenarioSeeds(t *testing.T) {
	if os.Getenv("VIGIL_EXAMPLES_FULL") == "" {
		t.Skip("set VIGIL_EXAMPLES_FULL=1 to run five seeds")
	}
	for seed := uint64(2); seed <= 6; seed++ {
		check(t, seed)
	}
}

// TestJobrunAgrees writes the example's data as job JSON and NDJSON, runs
// examples/jobrun on it and checks that it writes exactly the records the
// example computes in process.
func TestJobrunAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ../jobrun")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	evs := generate(2)
	if raceEnabled {
		evs = evs[:len(evs)/3] // the first three weeks: the agreement, not the scenario, is under test
	}
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
	sc.Buffer(nil, 1<<20)
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
