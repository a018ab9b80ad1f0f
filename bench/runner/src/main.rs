//! The market's benchmarks. `measure` runs them on drink's runtime and writes
//! `bench/results.json`; `render` merges the node's dry-run figures (`bench/node.json`, written
//! by `clients/js/bench/node-weights.mjs`) and regenerates the tables of `BENCHMARKS.md`.
//! `scripts/bench.sh` runs both.

mod measure;
mod render;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Benchmarks of the hybrid P2P market.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measures on drink: Wasm sizes, message weights, clearing at scale, the simulator.
    Measure(measure::Options),
    /// Merges the node's figures into the results and regenerates BENCHMARKS.md.
    Render {
        /// The results of `measure`.
        #[arg(long, default_value = "bench/results.json")]
        results: PathBuf,
        /// The node's dry-run figures, if measured.
        #[arg(long, default_value = "bench/node.json")]
        node: PathBuf,
        /// The document whose generated section is replaced.
        #[arg(long, default_value = "BENCHMARKS.md")]
        doc: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Measure(options) => measure::run(&options),
        Command::Render { results, node, doc } => render::run(&results, &node, &doc),
    }
}
