package lof_test

import (
	"context"
	"fmt"

	"github.com/vigil-ml/vigil/lof"
	"gonum.org/v1/gonum/mat"
)

// Logins per hour and megabytes sent by eight hosts; the last one is odd.
func Example() {
	X := mat.NewDense(8, 2, []float64{
		10, 1.0,
		11, 1.2,
		9, 0.9,
		10, 1.1,
		12, 1.0,
		11, 0.8,
		10, 1.3,
		30, 9.0,
	})
	m, err := lof.Fit(context.Background(), X, lof.Config{K: 3, Standardize: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, s := range m.TrainingScores() {
		fmt.Printf("host %d: LOF %.2f\n", i, s)
	}
	s, _ := m.Score([]float64{25, 8})
	fmt.Printf("new host: LOF %.2f\n", s)
	// Output:
	// host 0: LOF 1.07
	// host 1: LOF 0.94
	// host 2: LOF 1.11
	// host 3: LOF 0.95
	// host 4: LOF 1.19
	// host 5: LOF 1.16
	// host 6: LOF 0.95
	// host 7: LOF 23.76
	// new host: LOF 13.37
}

// A model fitted once, stored, and loaded by a scoring service that runs
// it on its own number of cores and says which feature makes an alert.
func ExampleModel_UnmarshalBinary() {
	X := mat.NewDense(8, 2, []float64{
		10, 1.0, 11, 1.2, 9, 0.9, 10, 1.1,
		12, 1.0, 11, 0.8, 10, 1.3, 11, 1.1,
	})
	m, err := lof.Fit(context.Background(), X, lof.Config{K: 3, Standardize: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	blob, _ := m.MarshalBinary() // write it to a file, a bucket, a database

	var loaded lof.Model
	if err := loaded.UnmarshalBinary(blob); err != nil {
		fmt.Println(err)
		return
	}
	svc := loaded.WithWorkers(2)
	x := []float64{10, 6.5} // usual logins, six times the usual volume
	s, _ := svc.Score(x)
	why, _ := svc.Explain(x)
	fmt.Printf("LOF %.1f; share of the distance: logins %.2f, megabytes %.2f\n", s, why[0], why[1])
	// Output:
	// LOF 24.8; share of the distance: logins 0.00, megabytes 1.00
}
