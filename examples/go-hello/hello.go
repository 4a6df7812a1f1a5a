// A Go program in the sandbox: reads whole numbers from stdin and prints their sum,
// four goroutines doing the parsing (the Go runtime starts threads: profile threads).
// Build: CGO_ENABLED=0 go build -trimpath -o go-hello hello.go   (static, no libc)
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"sync"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Split(bufio.ScanWords)
	var words []string
	for in.Scan() {
		words = append(words, in.Text())
	}
	sums := make([]int64, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(words); i += 4 {
				n, err := strconv.ParseInt(words[i], 10, 64)
				if err == nil {
					sums[w] += n
				}
			}
		}(w)
	}
	wg.Wait()
	fmt.Printf("Hello from Go! sum=%d\n", sums[0]+sums[1]+sums[2]+sums[3])
}
