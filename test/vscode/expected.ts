// What the real-VS-Code suites expect of the extension and its bundled demo.
export const EXTENSION_ID = 'gog-studio.glance-or-gaze-studio';
/** The question of media/demo/recorded/2-rocket-dscovr.trajectory.jsonl, and its recorded answer. */
export const ROCKET_RECORDING = '2-rocket-dscovr.trajectory.jsonl';
export const ROCKET_QUESTION = 'From which Lagrange point does the spacecraft launched by this rocket observe the Earth?';
export const ROCKET_ANSWER = 'Sun–Earth L1';
