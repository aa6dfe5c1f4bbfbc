package demo

import (
	"bufio"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

// WriteJob writes dir/job.json (jobJSON) and dir/events.ndjson, n
// documents of which doc writes the i-th (without its newline), as
// examples/jobrun reads them.
func WriteJob(dir, jobJSON string, n int, doc func(w *bufio.Writer, i int)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "job.json"), []byte(jobJSON+"\n"), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "events.ndjson"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; i < n; i++ {
		doc(w, i)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// MustWrite, when dir is set (the -write flag), writes the job and events
// with write, says where, and exits on an error, as the examples' main
// does.
func MustWrite(dir string, write func(dir string) error) {
	if dir == "" {
		return
	}
	if err := write(dir); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s and %s\n\n", filepath.Join(dir, "job.json"), filepath.Join(dir, "events.ndjson"))
}
