package main

import (
	"testing"

	"github.com/vigil-ml/vigil/examples/internal/demo"
)

// TestScenario: the unknown network is critical and blames its address;
// a new host's first networks and a developer's first Zoom call (common in
// the fleet) stay below minor, the nightly backups below major.
func TestScenario(t *testing.T) {
	demo.SkipUnderRace(t)
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
	demo.Agree(t, func() []*conn { return generate(2, demo.Days(10, 28)) }, writeData, analyse)
}

// TestScenarioSeeds repeats the scenario over five seeds (VIGIL_EXAMPLES_FULL=1).
func TestScenarioSeeds(t *testing.T) {
	demo.Seeds(t, 1, func(t *testing.T, seed uint64) {
		a, err := analyse(generate(seed, 28))
		if err != nil {
			t.Fatal(err)
		}
		v := a.verdict()
		t.Logf("seed %d: %+v", seed, v)
		checkVerdict(t, seed, v)
	})
}
