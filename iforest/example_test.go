package iforest_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/iforest"
)

// logins returns 500 logins described by seconds between attempts and the
// failed-attempt ratio.
func logins() *mat.Dense {
	r := rand.New(rand.NewPCG(1, 2))
	X := mat.NewDense(500, 2, nil)
	for i := range 500 {
		X.Set(i, 0, 30+5*r.NormFloat64())
		X.Set(i, 1, 0.1*r.Float64())
	}
	return X
}

func ExampleFit() {
	m, err := iforest.Fit(context.Background(), logins(), iforest.Config{Trees: 200, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	typical, _ := m.Score([]float64{30, 0.05})
	attack, _ := m.Score([]float64{0.2, 0.95}) // a burst of failed attempts
	fmt.Printf("typical login %.2f, burst of failures %.2f\n", typical, attack)
	// Output: typical login 0.43, burst of failures 0.70
}

// A service fits once, saves the model, and loads it in another process,
// where it scores with that machine's workers.
func Example_persistence() {
	m, _ := iforest.Fit(context.Background(), logins(), iforest.Config{Seed: 7})
	blob, _ := m.MarshalBinary()
	path := filepath.Join(os.TempDir(), "logins.vifo")
	_ = os.WriteFile(path, blob, 0o600)
	defer os.Remove(path)

	// ... later, elsewhere:
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	var loaded iforest.Model
	if err := loaded.UnmarshalBinary(data); err != nil {
		fmt.Println(err) // a corrupt or tampered file is refused, never half-loaded
		return
	}
	scorer := loaded.WithWorkers(4) // a copy; loaded itself is unchanged
	x := []float64{0.2, 0.95}
	before, _ := m.Score(x)
	after, _ := scorer.Score(x)
	again, _ := loaded.MarshalBinary()
	fmt.Println("same score:", before == after, "- same bytes:", bytes.Equal(blob, again))
	// Output: same score: true - same bytes: true
}

func ExampleModel_Explain() {
	m, _ := iforest.Fit(context.Background(), logins(), iforest.Config{Seed: 7})
	// A normal pause between attempts, but every attempt failed.
	c, _ := m.Explain([]float64{31, 0.9})
	// Contributions are on no fixed scale: compare them, or read shares.
	total := c[0] + c[1]
	fmt.Printf("seconds between attempts %.1f%%, failed-attempt ratio %.1f%%\n", 100*c[0]/total, 100*c[1]/total)
	// Output: seconds between attempts 0.0%, failed-attempt ratio 100.0%
}

func ExampleModel_ScoreBatchContext() {
	m, _ := iforest.Fit(context.Background(), logins(), iforest.Config{Seed: 7})
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the request was abandoned
	_, err := m.ScoreBatchContext(ctx, logins())
	fmt.Println(err)
	// Output: context canceled
}
