package main

import (
	"testing"

	"github.com/vigil-ml/vigil/examples/internal/demo"
)

// TestScenario: the rule back after a month and the never-seen rule are
// critical and name their source; the noisy and the nightly rules stay
// below major once the job has seen a week.
func TestScenario(t *testing.T) {
	demo.SkipUnderRace(t)
	a, err := analyse(generate(1, days))
	if err != nil {
		t.Fatal(err)
	}
	v := a.verdict()
	t.Logf("%+v", v)
	checkVerdict(t, 1, v)
}

func checkVerdict(t *testing.T, seed uint64, v verdict) {
	t.Helper()
	if v.struts < 75 || v.sqli < 75 || !v.blamed {
		t.Errorf("seed %d: Struts back after a month %.1f, new SQLi rule %.1f (sources named: %v), want ≥ 75", seed, v.struts, v.sqli, v.blamed)
	}
	if v.benign >= 50 {
		t.Errorf("seed %d: recurring rule scored %.1f (%s), want < 50", seed, v.benign, v.benignWhat)
	}
}

// TestJobrunAgrees writes the example's data as job JSON and NDJSON, runs
// examples/jobrun on it and checks that it writes exactly the records the
// example computes in process.
func TestJobrunAgrees(t *testing.T) {
	demo.Agree(t, func() []*alert { return generate(2, demo.Days(10, days)) }, writeData, analyse)
}

// TestScenarioSeeds repeats the scenario over five seeds (VIGIL_EXAMPLES_FULL=1).
func TestScenarioSeeds(t *testing.T) {
	demo.Seeds(t, 1, func(t *testing.T, seed uint64) {
		a, err := analyse(generate(seed, days))
		if err != nil {
			t.Fatal(err)
		}
		v := a.verdict()
		t.Logf("seed %d: %+v", seed, v)
		checkVerdict(t, seed, v)
	})
}
