package ocsvm

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestProf(t *testing.T) {
	name := os.Getenv("PSET")
	if name == "" {
		t.Skip()
	}
	ds := loadSet(t, name)
	for _, nu := range []float64{0.5, 0.1} {
		t0, c0 := time.Now(), cpuNow()
		m, err := Fit(context.Background(), ds.X, Config{Nu: nu, Standardize: true, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s nu=%v wall %v cpu %v iter %d", name, nu, time.Since(t0), cpuNow()-c0, m.Iterations())
	}
}
