package dataset_test

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
)

func ExampleLoad() {
	ds, err := dataset.Load(filepath.Join("testdata", "tiny.csv"))
	if err != nil {
		fmt.Println(err)
		return
	}
	n, d := ds.X.Dims()
	fmt.Printf("%s: %d rows, %d features, %d anomalies\n", ds.Name, n, d, ds.Anomalies())
	// Output: tiny: 4 rows, 3 features, 2 anomalies
}

// Code that needs the shared sets skips when they are absent.
func ExampleNamed() {
	ds, err := dataset.Named("shuttle")
	if errors.Is(err, dataset.ErrNotFound) {
		fmt.Println("skipping:", err)
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Name, len(ds.Labels))
}
