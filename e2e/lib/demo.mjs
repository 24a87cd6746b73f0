// The demo logins that `sellerq serve --demo` creates (crates/app/src/demo.rs).
// A Rust unit test (`the_browser_tests_know_the_demo_logins`) checks that these stay in step.

export const DEMO_PASSWORD = 'demo-sellerq';

export const DEMO_LOGINS = {
  admin: 'sofia.lindgren@larkmoor.example',
  leader: 'daniel.okonkwo@larkmoor.example',
  // Elena Marchetti manages Enterprise East.
  manager: 'elena.marchetti@larkmoor.example',
  coach: 'jordan.blake@northstar-coaching.example',
  // Amara Nwosu, an account executive in Enterprise East.
  seller: 'amara.nwosu@larkmoor.example',
  interviewer: 'kenji.watanabe@larkmoor.example',
};

// A seller of Enterprise East (the demo manager's team) whom the journeys open and edit.
export const EAST_SELLER = 'Kwame Mensah';

// A seller of Enterprise West, whom the demo manager must not see.
export const WEST_SELLER = 'Diego Hernández';

// The eight qualities of the default model, in spectrum order (mindset → behaviour).
export const QUALITIES = [
  ['belief', 'Belief'],
  ['humility', 'Humility'],
  ['ownership', 'Ownership'],
  ['perseverance', 'Perseverance'],
  ['trust_building', 'Trust Building'],
  ['process_mastery', 'Process Mastery'],
  ['value_crafting', 'Value Crafting'],
  ['storytelling', 'Storytelling'],
];
