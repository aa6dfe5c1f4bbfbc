package main

import (
	"testing"

	"github.com/vigil-ml/vigil/examples/internal/demo"
)

// TestScenario: both attacks are critical, the office NATs and the
// travellers stay below major once the job has seen a week.
func TestScenario(t *testing.T) {
	demo.SkipUnderRace(t)
	a, err := analyse(generate(1, 28))
	if err != nil {
		t.Fatal(err)
	}
	v := a.verdict()
	t.Logf("%+v", v)
	if v.stuffing < 75 || v.token < 75 {
		t.Errorf("stuffing scored %.1f, stolen token %.1f, want both ≥ 75", v.stuffing, v.token)
	}
	if v.benign >= 50 {
		t.Errorf("recurring pattern scored %.1f (%s), want < 50", v.benign, v.benignWhat)
	}
	// The stolen token's record names the countries it came from.
	for i := range a.Records {
		r := &a.Records[i]
		if isToken(r) && r.RecordScore >= 75 && len(r.Causes) != len(tokenCountries) {
			t.Errorf("token record has %d causes, want %d: %+v", len(r.Causes), len(tokenCountries), r.Causes)
		}
	}
}

// TestJobrunAgrees writes the example's data as job JSON and NDJSON, runs
// examples/jobrun on it and checks that it writes exactly the records the
// example computes in process.
func TestJobrunAgrees(t *testing.T) {
	demo.Agree(t, func() []*login { return generate(2, demo.Days(10, 28)) }, writeData, analyse)
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
		if v.stuffing < 75 || v.token < 75 || v.benign >= 50 {
			t.Errorf("seed %d: injected %.1f and %.1f (want ≥ 75), recurring %.1f (want < 50)", seed, v.stuffing, v.token, v.benign)
		}
	})
}
