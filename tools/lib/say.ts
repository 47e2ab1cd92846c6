/** One line on stdout: what the tools say to the person running them. */
export const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
