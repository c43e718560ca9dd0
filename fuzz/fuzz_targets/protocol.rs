//! Agent protocol frames as the hub reads them from an agent's websocket and the agent from the
//! hub's: any bytes are refused or read, and a frame that is read survives a round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use types::protocol::{AgentMessage, HubMessage};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(message) = serde_json::from_slice::<AgentMessage>(bytes) {
        let text = serde_json::to_string(&message).expect("a read frame serialises");
        let again: AgentMessage = serde_json::from_str(&text).expect("and reads back");
        assert_eq!(again, message);
    }
    if let Ok(message) = serde_json::from_slice::<HubMessage>(bytes) {
        let text = serde_json::to_string(&message).expect("a read frame serialises");
        let again: HubMessage = serde_json::from_str(&text).expect("and reads back");
        assert_eq!(again, message);
    }
});
