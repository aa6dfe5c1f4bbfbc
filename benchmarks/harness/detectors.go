package harness

import (
	"slices"
	"strings"

	"github.com/vigil-ml/vigil/knn"
)

// detectors is the registry. To add a detector, write a fit function beside
// fitIForest (iforest.go) and add one line here. The neighbour detectors are
// Deterministic, and their ScoreFunc returns the model's TrainingScores().
var detectors = []Detector{
	{Name: "iforest", Fit: fitIForest, Params: iforestParams},
	{Name: "knn", Deterministic: true, Fit: fitKNN, Params: neighborParams(knn.DefaultK, true)},
	{Name: "lof", Deterministic: true, Fit: fitLOF, Params: neighborParams(20, false)},
	{Name: "knn+lof", Deterministic: true, Fit: fitKNNLOF, Params: knnLOFParams},
	{Name: "autoencoder", Fit: fitAutoencoder, Params: autoencoderParams},
	{Name: "ocsvm", Fit: fitOCSVM, Params: ocsvmParams},
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
