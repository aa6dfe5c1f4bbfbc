package autoencoder_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/autoencoder"
)

// Hosts described by connections per minute, bytes sent (kB) and bytes
// received (kB), where traffic in both directions follows the connection
// count. One host sends ten times what its connections explain: an
// exfiltration pattern that no single feature's range shows, which the
// autoencoder scores high and attributes to bytes sent.
func Example() {
	r := rand.New(rand.NewPCG(1, 2))
	X := mat.NewDense(400, 3, nil)
	for i := range 400 {
		conns := 20 + 80*r.Float64()
		X.SetRow(i, []float64{conns, 3*conns + 5*r.NormFloat64(), 12*conns + 20*r.NormFloat64()})
	}
	m, err := autoencoder.Fit(context.Background(), X, autoencoder.Config{Seed: 1, Epochs: 50, Hidden: []int{8, 1, 8}, Activation: autoencoder.Tanh})
	if err != nil {
		fmt.Println(err)
		return
	}
	names := []string{"connections", "bytes sent", "bytes received"}
	for _, host := range [][]float64{
		{60, 180, 720},  // ordinary
		{30, 400, 360},  // sends far more than its connections explain
		{90, 270, 1080}, // busy but consistent
	} {
		s, _ := m.Score(host)
		e, _ := m.Explain(host)
		worst := 0
		for j := range e {
			if e[j] > e[worst] {
				worst = j
			}
		}
		fmt.Printf("score %5.2f  worst reconstructed: %s\n", math.Round(s*100)/100, names[worst])
	}
	// Output:
	// score  0.00  worst reconstructed: bytes received
	// score  4.34  worst reconstructed: bytes sent
	// score  0.00  worst reconstructed: bytes received
}
