//! Areas and the distances between them. Participants carry an area tag; matching prefers the
//! same area, then nearer areas.

use alloc::vec::Vec;

use crate::MarketError;

/// An area tag, `0..areas`.
pub type AreaId = u8;

/// How the market's areas lie relative to each other.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Topology {
    /// Areas `0..areas` on a line (a feeder): the distance of `a` and `b` is `|a - b|`.
    Line {
        /// Number of areas.
        areas: u8,
    },
    /// Any symmetric distance matrix with a zero diagonal, row-major, `areas * areas` entries.
    Matrix {
        /// Number of areas.
        areas: u8,
        /// `distances[a * areas + b]` is the distance of `a` and `b`, in steps.
        distances: Vec<u8>,
    },
}

impl Topology {
    /// The paper's market: three areas on a line.
    pub fn paper() -> Self {
        Topology::Line { areas: 3 }
    }

    /// Number of areas.
    pub fn areas(&self) -> u8 {
        match self {
            Topology::Line { areas } | Topology::Matrix { areas, .. } => *areas,
        }
    }

    /// Whether `area` exists.
    pub fn contains(&self, area: AreaId) -> bool {
        area < self.areas()
    }

    /// Distance of two areas in steps.
    ///
    /// # Errors
    /// [`MarketError::UnknownArea`] if either area is outside the topology.
    pub fn distance(&self, a: AreaId, b: AreaId) -> Result<u8, MarketError> {
        if !self.contains(a) || !self.contains(b) {
            return Err(MarketError::UnknownArea);
        }
        match self {
            Topology::Line { .. } => Ok(a.abs_diff(b)),
            Topology::Matrix { areas, distances } => usize::from(a)
                .checked_mul(usize::from(*areas))
                .and_then(|row| row.checked_add(usize::from(b)))
                .and_then(|cell| distances.get(cell).copied())
                .ok_or(MarketError::InvalidTopology),
        }
    }

    /// The largest distance between any two areas.
    pub fn max_distance(&self) -> u8 {
        match self {
            Topology::Line { areas } => areas.saturating_sub(1),
            Topology::Matrix { distances, .. } => distances.iter().copied().max().unwrap_or(0),
        }
    }

    /// Checks the shape: at least one area; a matrix is square, symmetric, zero on the diagonal.
    ///
    /// # Errors
    /// [`MarketError::InvalidTopology`].
    pub fn validate(&self) -> Result<(), MarketError> {
        if self.areas() == 0 {
            return Err(MarketError::InvalidTopology);
        }
        if let Topology::Matrix { areas, distances } = self {
            let n = usize::from(*areas);
            if Some(distances.len()) != n.checked_mul(n) {
                return Err(MarketError::InvalidTopology);
            }
            for a in 0..*areas {
                for b in 0..*areas {
                    let ab = self.distance(a, b)?;
                    let ba = self.distance(b, a)?;
                    if ab != ba || (a == b && ab != 0) {
                        return Err(MarketError::InvalidTopology);
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn line_distances() {
        let line = Topology::paper();
        assert_eq!(line.validate(), Ok(()));
        assert_eq!(line.distance(0, 0), Ok(0));
        assert_eq!(line.distance(0, 2), Ok(2));
        assert_eq!(line.distance(2, 1), Ok(1));
        assert_eq!(line.distance(3, 1), Err(MarketError::UnknownArea));
        assert_eq!(line.max_distance(), 2);
    }

    #[test]
    fn matrix_is_checked() {
        let ring = Topology::Matrix {
            areas: 3,
            distances: vec![0, 1, 1, 1, 0, 1, 1, 1, 0],
        };
        assert_eq!(ring.validate(), Ok(()));
        assert_eq!(ring.distance(0, 2), Ok(1));
        let asymmetric = Topology::Matrix {
            areas: 2,
            distances: vec![0, 1, 2, 0],
        };
        assert_eq!(asymmetric.validate(), Err(MarketError::InvalidTopology));
        let short = Topology::Matrix {
            areas: 2,
            distances: vec![0, 1, 1],
        };
        assert_eq!(short.validate(), Err(MarketError::InvalidTopology));
        let diagonal = Topology::Matrix {
            areas: 1,
            distances: vec![1],
        };
        assert_eq!(diagonal.validate(), Err(MarketError::InvalidTopology));
        assert_eq!(
            Topology::Line { areas: 0 }.validate(),
            Err(MarketError::InvalidTopology)
        );
    }
}
