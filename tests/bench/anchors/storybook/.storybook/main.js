// The stories are generated from a built catalogue (tests/bench/anchors/frames.py) into a build
// directory named by AI_CREDITS_ANCHOR_STORIES; nothing generated is committed.
const stories = process.env.AI_CREDITS_ANCHOR_STORIES;
if (!stories) throw new Error('AI_CREDITS_ANCHOR_STORIES is not set: run python -m tests.bench.anchors.run');

/** @type { import('@storybook/html-vite').StorybookConfig } */
export default {
  framework: { name: '@storybook/html-vite', options: {} },
  stories: [{ directory: stories, files: '*.stories.js' }],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
};
