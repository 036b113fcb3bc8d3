package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/companygraph/companygraph/internal/intake"
)

// ingestArticles is `companygraph ingest-articles [flags] FILE.jsonl`:
// flags in, the file sent by intake, the exit status out (0 when every
// article was read, 1 when any line failed, 2 for a bad invocation).
func ingestArticles(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("companygraph ingest-articles", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: companygraph ingest-articles [flags] FILE.jsonl (- for stdin)")
		fmt.Fprintln(stderr, "Sends the articles of FILE, one JSON object a line as SourceInput takes it, to a running API's ingestArticles,\n"+
			"prints each one's outcome as a JSON line on stdout and exits 1 if any failed.")
		fs.PrintDefaults()
	}
	o := intake.Options{Out: stdout, Progress: stderr, Terminal: terminal(stderr)}
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080/graphql", "the API's GraphQL endpoint")
	fs.StringVar(&o.APIKey, "api-key", os.Getenv("COMPANYGRAPH_API_KEY"), "an editor's API key, sent as a bearer token (COMPANYGRAPH_API_KEY)")
	fs.IntVar(&o.Batch, "batch", 5, "most articles of one request (the API's COMPANYGRAPH_MAX_ARTICLES bounds it too)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "write nothing: each article is answered as it would be written")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 || o.Batch < 1 {
		fs.Usage()
		return 2
	}
	in := io.Reader(os.Stdin)
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		defer f.Close()
		in = f
	}
	sum, err := intake.Run(ctx, in, o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if sum.Failed > 0 {
		fmt.Fprintf(stderr, "%d of the lines failed\n", sum.Failed)
		return 1
	}
	return 0
}

// terminal reports whether w is a terminal, where progress is written
// over in place.
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
