//! The market's benchmarks. `measure` runs them on drink's runtime and writes
//! `bench/results.json`; `render` merges the node's dry-run figures (`bench/node.json`, written
//! by `clients/js/bench/node-weights.mjs`), the load test's (`bench/load.json`) and the build
//! times (`bench/build.json`), and regenerates the tables of `BENCHMARKS.md`.
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
        /// The load test's figures (`scripts/load-test.sh`), if measured.
        #[arg(long, default_value = "bench/load.json")]
        load: PathBuf,
        /// The cold and warm build times (`scripts/bench-build.sh`), if measured.
        #[arg(long, default_value = "bench/build.json")]
        build: PathBuf,
        /// The document whose generated section is replaced.
        #[arg(long, default_value = "BENCHMARKS.md")]
        doc: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Measure(options) => measure::run(&options),
        Command::Render {
            results,
            node,
            load,
            build,
            doc,
        } => render::run(
            &results,
            &render::Inputs {
                node: &node,
                load: &load,
                build: &build,
            },
            &doc,
        ),
    }
}
