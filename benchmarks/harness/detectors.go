package harness

import (
	"slices"
	"strings"
)

// detectors is the registry. To add a detector, write a fit function beside
// fitIForest (iforest.go) and add one line here. Entries for knn, lof and
// knn+lof go here once those packages exist; they are Deterministic, and
// their ScoreFunc returns the model's TrainingScores().
var detectors = []Detector{
	{Name: "iforest", Fit: fitIForest, Params: iforestParams},
}

// Lookup returns the registered detector with the given name.
func Lookup(name string) (Detector, bool) {
	i := slices.IndexFunc(detectors, func(d Detector) bool { return d.Name == name })
	if i < 0 {
		return Detector{}, false
	}
	return detectors[i], true
}

// Names lists the registered detectors, for usage messages.
func Names() string {
	names := make([]string, len(detectors))
	for i, d := range detectors {
		names[i] = d.Name
	}
	return strings.Join(names, ", ")
}
