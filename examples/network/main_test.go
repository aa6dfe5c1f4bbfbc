package main

import (
	"testing"

	"github.com/vigil-ml/vigil/examples/internal/demo"
)

// TestScenario: the sweep is critical, the recurring backup stays below
// major once the job has seen a week.
func TestScenario(t *testing.T) {
	demo.SkipUnderRace(t)
	a, err := analyse(generate(1, 28))
	if err != nil {
		t.Fatal(err)
	}
	v := a.verdict()
	t.Logf("sweep top %.1f, backup top %.1f", v.sweepTop, v.backupTop)
	if v.sweepTop < 75 {
		t.Errorf("sweep scored %.1f, want ≥ 75", v.sweepTop)
	}
	if v.backupTop >= 50 {
		t.Errorf("backup scored %.1f, want < 50", v.backupTop)
	}
	blamed := false
	for _, r := range a.Records {
		if r.ByFieldValue == sshPort && inSweep(r.Timestamp) && r.RecordScore >= 75 {
			for _, inf := range r.Influencers {
				if inf.FieldName == "source.ip" && len(inf.FieldValues) > 0 && inf.FieldValues[0] == sweeper {
					blamed = true
				}
			}
		}
	}
	if !blamed {
		t.Errorf("no critical sweep record names %s as its source.ip influencer", sweeper)
	}
}

// TestJobrunAgrees writes the example's data as job JSON and NDJSON, runs
// examples/jobrun on it and checks that it writes exactly the records the
// example computes in process.
func TestJobrunAgrees(t *testing.T) {
	demo.Agree(t, func() []*conn { return generate(2, demo.Days(9, 28)) }, writeData, analyse)
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
		if v.sweepTop < 75 || v.backupTop >= 50 {
			t.Errorf("seed %d: injected %.1f (want ≥ 75), recurring %.1f (want < 50)", seed, v.sweepTop, v.backupTop)
		}
	})
}
