// Package o200k counts text in o200k_base tokens, the
// tokenizer of current OpenAI models, exactly as tiktoken-go's
// EncodeOrdinary does (special tokens such as <|endoftext|> are plain text).
//
// It replaces github.com/pkoukk/tiktoken-go in the server binary: that
// module's regular-expression engine (dlclark/regexp2, whose package init
// ran at every start) and its ~10 MB of embedded tables for five encodings
// were linked for one subcommand, `mcp-server tools`. Here the split pattern
// is a hand-written scanner over the standard library's Unicode tables
// (split.go) and the one table needed is embedded gzipped and parsed on
// first use, not at package init.
package o200k

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// table is OpenAI's o200k_base.tiktoken (one "base64(token) rank" a line;
// sha256 446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
// as published in openai/tiktoken), copied from
// github.com/pkoukk/tiktoken-go-loader v0.0.2 and gzipped (1.7 MB, from
// 3.6 MB).
//
//go:embed o200k_base.tiktoken.gz
var table string

// tableTokens is the number of tokens in the table, to size its map.
const tableTokens = 199998

// Encoder counts text with the o200k_base ranks. It is safe for
// concurrent use.
type Encoder struct {
	ranks map[string]int
}

// Load returns the encoder, parsing the embedded table on its first call
// (later calls return the same encoder).
func Load() (*Encoder, error) {
	loaded.once.Do(func() { loaded.enc, loaded.err = parse() })
	return loaded.enc, loaded.err
}

// loaded is Load's result. It is a zero value, not a sync.OnceValues,
// so that the package has no init to run at every start of the server.
var loaded struct {
	once sync.Once
	enc  *Encoder
	err  error
}

func parse() (*Encoder, error) {
	zr, err := gzip.NewReader(strings.NewReader(table))
	if err != nil {
		return nil, fmt.Errorf("o200k table: %w", err)
	}
	ranks := make(map[string]int, tableTokens)
	sc := bufio.NewScanner(zr)
	var tok []byte
	for line := 1; sc.Scan(); line++ {
		b64, rank, _ := bytes.Cut(sc.Bytes(), []byte(" "))
		tok, err = base64.StdEncoding.AppendDecode(tok[:0], b64)
		if err != nil {
			return nil, fmt.Errorf("o200k table: line %d: %w", line, err)
		}
		r, err := strconv.Atoi(string(rank))
		if err != nil {
			return nil, fmt.Errorf("o200k table: line %d: %w", line, err)
		}
		ranks[string(tok)] = r
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("o200k table: %w", err)
	}
	return &Encoder{ranks: ranks}, nil
}

// Count returns the number of tokens encode would return, without
// building them.
func (e *Encoder) Count(text string) int {
	n := 0
	var parts []part
	for piece := range pieces(text) {
		if _, ok := e.ranks[piece]; ok {
			n++
			continue
		}
		parts = e.merge(piece, parts)
		n += len(parts) - 1
	}
	return n
}

// encode returns the ranks of text's tokens; the tests compare them with
// tiktoken-go's token by token, which catches more than counts do.
func (e *Encoder) encode(text string) []int {
	var tokens []int
	var parts []part
	for piece := range pieces(text) {
		if r, ok := e.ranks[piece]; ok {
			tokens = append(tokens, r)
			continue
		}
		parts = e.merge(piece, parts)
		for i := range len(parts) - 1 {
			tokens = append(tokens, e.ranks[piece[parts[i].start:parts[i+1].start]])
		}
	}
	return tokens
}

// part is a token being merged: where it starts in the piece, and the rank
// of the token it would make merged with the next part (noRank if none).
type part struct{ start, rank int }

const noRank = math.MaxInt

// merge is tiktoken's byte-pair merge: starting from single bytes, the
// adjacent pair whose merge has the lowest rank (the leftmost of equals)
// merges, until no adjacent pair is a token. It returns the parts, reusing
// the given slice's storage; the last part marks the end of the piece.
func (e *Encoder) merge(piece string, parts []part) []part {
	parts = parts[:0]
	for i := range len(piece) + 1 {
		parts = append(parts, part{i, noRank})
	}
	// rank is the rank of parts[i] merged with the skip parts after it
	// and the one after those.
	rank := func(i, skip int) int {
		if i+skip+2 < len(parts) {
			if r, ok := e.ranks[piece[parts[i].start:parts[i+skip+2].start]]; ok {
				return r
			}
		}
		return noRank
	}
	for i := range len(parts) - 2 {
		parts[i].rank = rank(i, 0)
	}
	for {
		low, at := noRank, -1
		for i, p := range parts[:len(parts)-1] {
			if p.rank < low {
				low, at = p.rank, i
			}
		}
		if at < 0 {
			return parts
		}
		parts[at].rank = rank(at, 1)
		if at > 0 {
			parts[at-1].rank = rank(at-1, 1)
		}
		parts = slices.Delete(parts, at+1, at+2)
	}
}
