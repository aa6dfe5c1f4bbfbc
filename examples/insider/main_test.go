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
	for k, in := range incidents() {
		t.Logf("seed %d: %s: %.1f", seed, in.name, v.incident[k])
		if v.incident[k] < 75 {
			t.Errorf("seed %d: %s scored %.1f, want ≥ 75", seed, in.name, v.incident[k])
		}
	}
	t.Logf("seed %d: Monday peaks %.1f, month-end %.1f, other %.1f (%s %s %s)", seed, v.monday, v.monthEnd, v.other,
		v.otherRec.Timestamp.In(seoul).Format("Mon 01-02 15:04"), entity(&v.otherRec), v.otherRec.Function)
	if v.monday >= 50 || v.monthEnd >= 50 {
		t.Errorf("seed %d: Monday peaks %.1f, month-end %.1f, want < 50", seed, v.monday, v.monthEnd)
	}
}

// TestScenario: the three incidents are critical, the Monday peaks and the
// month-end closes stay below major.
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
	demo.Agree(t, func() []*lookup {
		evs := generate(2)
		if demo.RaceEnabled {
			// The first week: the agreement, not the scenario, is under test.
			evs = evs[:firstAfter(evs, start.Add(7*24*time.Hour))]
		}
		return evs
	}, writeData, analyse)
}

// firstAfter is the index of the first event at or after t.
func firstAfter(evs []*lookup, t time.Time) int {
	i, _ := slices.BinarySearchFunc(evs, t, func(l *lookup, t time.Time) int { return l.t.Compare(t) })
	return i
}
