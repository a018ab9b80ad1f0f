//! What a call emitted and returned: the market's events decoded into the contracts' own
//! types, and a call's [`Outcome`].

use drink::{
    minimal::{MinimalSandboxRuntime, RuntimeEvent},
    pallet_contracts, Weight,
};
use ink::env::Event;
use scale::Decode;

use crate::MarketSandbox;

/// Declares [`MarketEvent`] and the sandbox's decoder from one list: each contract, then each
/// of its events with the variant that carries it. A new event is one line here. (Typed
/// decoding needs the contracts' Rust types, which the bundles' metadata does not carry;
/// Cardinal's `ink-wrapper`, which generates such code from metadata, targets ink! 4 and
/// drink 0.8 and builds only on a 2023 nightly, so it does not fit ink! 5.1 and drink 0.18.)
macro_rules! market_events {
    ($($contract:ident { $($(#[doc = $doc:literal])* $variant:ident($event:ty),)* })*) => {
        /// An event of one of the three contracts, decoded into the contract's own type.
        #[derive(Debug, PartialEq, Eq)]
        pub enum MarketEvent {
            $($($(#[doc = $doc])* $variant($event),)*)*
        }

        impl MarketSandbox {
            /// The market event in `record`: one of the three contracts' events whose signature
            /// topic and data decode as one of the types above.
            pub(crate) fn decode_event(
                &self,
                record: &ink_sandbox::EventRecordOf<MinimalSandboxRuntime>,
            ) -> Option<MarketEvent> {
                let RuntimeEvent::Contracts(pallet_contracts::Event::ContractEmitted {
                    contract,
                    data,
                }) = &record.event
                else {
                    return None;
                };
                let topic = record.topics.first()?.to_fixed_bytes();
                $(
                    if *contract == self.$contract {
                        $(
                            if <$event as Event>::SIGNATURE_TOPIC.as_ref() == Some(&topic) {
                                return <$event>::decode(&mut &data[..]).ok().map(MarketEvent::$variant);
                            }
                        )*
                    }
                )*
                None
            }
        }
    };
}

market_events! {
    main {
        /// main: a participant was registered.
        ParticipantRegistered(main::ParticipantRegistered),
        /// main: a participant was removed.
        ParticipantRemoved(main::ParticipantRemoved),
        /// main: the configuration was replaced.
        ConfigUpdated(main::ConfigUpdated),
        /// main: an offer entered the book.
        OfferAccepted(main::OfferAccepted),
        /// main: an offer left the book.
        OfferCancelled(main::OfferCancelled),
        /// main: a sealed offer was committed.
        OfferCommitted(main::OfferCommitted),
        /// main: an interval was cleared.
        IntervalCleared(main::IntervalCleared),
    }
    p2p {
        /// p2p: a trade.
        TradeExecuted(p2p::TradeExecuted),
    }
    p2g {
        /// p2g: a residual settled with the grid.
        GridSettled(p2g::GridSettled),
        /// p2g: a credit was withdrawn.
        Withdrawn(p2g::Withdrawn),
        /// p2g: the grid deposit was topped up.
        GridFunded(p2g::GridFunded),
        /// p2g: an unrevealed commitment was released.
        Forfeited(p2g::Forfeited),
        /// p2g: feed-in the grid deposit could not pay became a claim.
        FeedInOwed(p2g::FeedInOwed),
        /// p2g: a feed-in claim was (partly) paid.
        ClaimPaid(p2g::ClaimPaid),
        /// p2g: a meter reading was accepted.
        Metered(p2g::Metered),
        /// p2g: an imbalance was settled.
        ImbalanceSettled(p2g::ImbalanceSettled),
    }
}

/// A call's value, whether the contract reverted, what it cost and what it emitted.
#[derive(Debug)]
pub struct Outcome<T> {
    /// The message's return value.
    pub value: T,
    /// Whether the contract reverted (all its state changes were discarded).
    pub reverted: bool,
    /// Weight consumed.
    pub weight: Weight,
    /// Events of the market's contracts, in emission order.
    pub events: Vec<MarketEvent>,
    /// Contract calls made (more than one for a stepped close).
    pub steps: u32,
}
