package main

import (
	"slices"
	"testing"
	"time"

	"github.com/vigil-ml/vigil/examples/internal/demo"
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
func TestScenario(t *testing.T) {
	demo.SkipUnderRace(t)
	check(t, 1)
}

// TestScenarioSeeds repeats the scenario over five seeds (VIGIL_EXAMPLES_FULL=1).
func TestScenarioSeeds(t *testing.T) {
	demo.Seeds(t, 2, check)
}

// TestJobrunAgrees writes the example's data as job JSON and NDJSON, runs
// examples/jobrun on it and checks that it writes exactly the records the
// example computes in process.
func TestJobrunAgrees(t *testing.T) {
	demo.Agree(t, func() []*tx {
		evs := generate(2)
		if demo.RaceEnabled {
			// The first week: the agreement, not the scenario, is under test.
			evs = evs[:firstAfter(evs, start.Add(7*24*time.Hour))]
		}
		return evs
	}, writeData, analyse)
}

// firstAfter is the index of the first transaction at or after t.
func firstAfter(evs []*tx, t time.Time) int {
	i, _ := slices.BinarySearchFunc(evs, t, func(x *tx, t time.Time) int { return x.t.Compare(t) })
	return i
}
