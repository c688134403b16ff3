// Each story carries its frame's mode; the frame sets it on <html>, so does this decorator.
/** @type { import('@storybook/html-vite').Preview } */
export default {
  decorators: [
    (story, { parameters }) => {
      document.documentElement.dataset.theme = parameters.theme;
      return story();
    },
  ],
  parameters: { layout: 'fullscreen' },
};
